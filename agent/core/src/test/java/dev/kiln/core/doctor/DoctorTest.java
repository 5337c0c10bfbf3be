package dev.kiln.core.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorTest {

    private static Map<String, Check> byId(List<Check> checks) {
        return checks.stream().collect(Collectors.toMap(Check::id, c -> c));
    }

    @Test
    void eachTelemetryFamilyIsFoundReadingSilentOrMissingAndLinuxMissesNoMacLevel() {
        List<String> channels = List.of("cpu_temperature_celsius", "cluster_p0_freq_hertz", "cluster_p0_max_freq_hertz", "smc_F0Ac_rpm");
        Map<String, Double> sample = Map.of("cluster_p0_freq_hertz", 3.2e9, "cluster_p0_max_freq_hertz", 4e9);
        Map<String, Check> linux = byId(Telemetry.judge(false, channels, sample));
        assertEquals(Check.Status.DEGRADED, linux.get("telemetry-temperatures").status(), "there, but not reading now");
        assertEquals(Check.Status.OK, linux.get("telemetry-clocks").status());
        assertTrue(linux.get("telemetry-clocks").summary().startsWith("1/1 "), "a top clock is no clock reading: " + linux.get("telemetry-clocks"));
        assertEquals(Check.Status.MISSING, linux.get("telemetry-power").status());
        assertEquals(Check.Status.DEGRADED, linux.get("telemetry-fans").status());
        assertTrue(!linux.containsKey("telemetry-thermal-pressure"), "a macOS level: Linux has none to miss");
        assertNull(linux.get("telemetry-power").seenOnAppleSilicon());

        Map<String, Check> mac = byId(Telemetry.judge(true, channels, sample));
        assertEquals(Check.Status.MISSING, mac.get("telemetry-thermal-pressure").status());
        assertTrue(mac.get("telemetry-power").fix().contains("IOReport"), mac.get("telemetry-power").fix());
        assertEquals(Boolean.FALSE, mac.get("telemetry-clocks").seenOnAppleSilicon(), "macOS sources are unseen on a Mac yet");
    }

    /** A suite answering for itself: the doctor says what it finds, its fix and its maturity, knowing it by no name. */
    private static Suite suite(String id, Availability a, List<String> found, SuiteUnavailableException notFound, boolean verified,
                               RuntimeException broken) {
        return new Suite() {
            @Override
            public SuiteDescriptor descriptor() {
                return new SuiteDescriptor(id, id, "a test double", List.of(), Duration.ofSeconds(1), Duration.ofMillis(1), true);
            }

            @Override
            public Availability availability(SuiteEnvironment env) {
                if (broken != null) {
                    throw broken;
                }
                return a;
            }

            @Override
            public List<String> findHere(SuiteEnvironment env) throws SuiteUnavailableException {
                if (notFound != null) {
                    throw notFound;
                }
                return found;
            }

            @Override
            public boolean verifiedOn(SuiteEnvironment env) {
                return verified;
            }

            @Override
            public String fixHere(SuiteEnvironment env) {
                return "the fix of " + id;
            }

            @Override
            public void prepare(dev.kiln.api.SuiteContext ctx) {
            }

            @Override
            public void run(WorkerContext ctx) {
            }
        };
    }

    @Test
    void everySuiteIsCheckedThroughItsOwnAnswers() {
        SuiteEnvironment env = dev.kiln.core.platform.PlatformProbe.current().environment();
        Check found = Suites.check(suite("a", Availability.ok(), List.of("device X"), null, false, null), env);
        assertEquals(new Check("suite-a", Check.Status.OK, "device X", "", false), found);
        Check plain = Suites.check(suite("b", Availability.ok(), List.of(), null, true, null), env);
        assertEquals(new Check("suite-b", Check.Status.OK, "can run here", "", null), plain);
        Check absent = Suites.check(suite("c", Availability.unavailable(UnavailableCategory.NOT_PRESENT, "no widget"), List.of(), null, true, null), env);
        assertEquals(new Check("suite-c", Check.Status.MISSING, "no widget", "the fix of c", null), absent);
        Check none = Suites.check(suite("d", Availability.ok(), List.of(), new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT,
                "no device of type gpu"), false, null), env);
        assertEquals(new Check("suite-d", Check.Status.MISSING, "no device of type gpu", "the fix of d", false), none);
        Check broken = Suites.check(suite("e", null, List.of(), null, true, new IllegalStateException("driver crashed")), env);
        assertEquals(Check.Status.MISSING, broken.status());
        assertTrue(broken.summary().contains("driver crashed") && broken.fix().equals("the fix of e"), broken.toString());
    }

    @Test
    void aConfigurationThatDoesNotLoadIsMissingForDiskAndServiceAndTheRestStillRuns(@TempDir Path dir) throws Exception {
        Path bad = java.nio.file.Files.writeString(dir.resolve("bad.yaml"), "service: [unclosed\n");
        List<Check> checks = Doctor.run(dir.resolve("state"), bad, dir);
        Map<String, Check> m = byId(checks);
        assertEquals(Check.Status.MISSING, m.get("disk").status());
        assertTrue(m.get("disk").summary().startsWith("the configuration does not load"), m.get("disk").summary());
        assertEquals(Check.Status.MISSING, m.get("service").status());
        assertEquals(Check.Status.MISSING, m.get("station-key").status(), "a fresh state directory has no key");
        assertTrue(m.containsKey("thread-placement") && m.containsKey("telemetry-clocks") && m.containsKey("clock-sync"), m.keySet().toString());
        assertTrue(!java.nio.file.Files.exists(dir.resolve("state")), "the doctor writes nothing");
    }
}
