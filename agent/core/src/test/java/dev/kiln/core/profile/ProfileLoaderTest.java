package dev.kiln.core.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileLoaderTest {
    private final ProfileLoader loader = new ProfileLoader();

    @Test
    void builtInsLoadAndAreSane() {
        for (String name : ProfileLoader.BUILT_IN) {
            Profile p = loader.load(name);
            assertEquals(name, p.name());
            assertFalse(p.suites().isEmpty());
            p.suites().forEach(e -> Durations.parse(e.duration()));
            Durations.parse(p.hangTimeout());
        }
        long smoke = loader.load("smoke").suites().stream().mapToLong(e -> Durations.parse(e.duration()).toSeconds()).sum();
        assertTrue(smoke >= 60 && smoke <= 180, "smoke is about two minutes: " + smoke);
    }

    @Test
    void unknownNameIsUsageError() {
        KilnException e = assertThrows(KilnException.class, () -> loader.load("nope"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("smoke"));
        assertEquals(ExitCode.USAGE, assertThrows(KilnException.class, () -> loader.load("/no/such/file.yaml")).exitCode());
    }

    @Test
    void badFilesAreConfigErrorsOnOneLine(@TempDir Path dir) throws Exception {
        String[][] cases = {
            {"name: x\nsuites:\n  - id: cpu\n    durtion: 5s\n", "unknown key 'durtion'"},
            {"name: x\nsuites: [\n", "line"},
            {"name: x\nsuites: []\n", "lists no suites"},
            {"suites:\n  - id: cpu\n", "name"},
            {"", "empty"},
            {"name: x\nsuites:\n  - id: cpu\n    required: maybe\n", "maybe"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("p.yaml");
            Files.writeString(f, c[0]);
            KilnException e = assertThrows(KilnException.class, () -> loader.load(f.toString()), c[0]);
            assertEquals(ExitCode.CONFIG, e.exitCode(), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void burnInSpendsMostOfItsTimeWithEverySuiteTogetherAndStandardSomeOfIt() {
        for (String name : java.util.List.of("standard", "burn-in")) {
            Profile p = loader.load(name);
            Profile.Together t = p.together();
            long solo = p.suites().stream().mapToLong(e -> Durations.parse(e.duration()).toSeconds()).sum();
            long together = Durations.parse(t.duration()).toSeconds();
            assertEquals(java.util.List.of("cpu", "memory", "gpu", "neural-engine"), t.suites().stream().map(Profile.Member::id).toList());
            assertTrue(Durations.parse(t.baseline()).toSeconds() > 0 && Durations.parse(t.cooldown()).toSeconds() > 0);
            assertEquals(null, t.thermal().check());
            // the cool-down is long enough for the judge's own limit, so a slow cool-down is judged, not skipped
            assertTrue(Durations.parse(t.cooldown()).compareTo(t.thermal().over(dev.kiln.core.thermal.ThermalLimits.DEFAULTS)
                    .maxCoolDownDuration()) >= 0, name);
            if (name.equals("burn-in")) {
                assertTrue(together > 0.8 * (solo + together), "most of a burn-in is together: " + together + " of " + (solo + together));
            } else {
                assertTrue(together < solo, "standard's together stage is the shorter part");
            }
        }
        assertEquals(null, loader.load("smoke").together(), "smoke checks each engine quickly, alone");
    }

    @Test
    void aProfileWithOnlyATogetherStageLoadsAndBadThresholdsAreRefusedLater() {
        Profile p = loader.parse("name: t\nsuites: []\ntogether:\n  duration: 1m\n  suites:\n    - id: cpu\n      threads: 0.5\n"
                + "  thermal:\n    maxTemperatureCelsius: 90\n", "test");
        assertEquals(0.5, p.together().suites().get(0).threads());
        assertEquals(90.0, p.together().thermal().maxTemperatureCelsius());
        KilnException e = assertThrows(KilnException.class, () -> loader.parse("name: t\nsuites: []\ntogether:\n  duration: 1m\n"
                + "  suites: [{id: cpu}]\n  thermal:\n    maxTemperatureCelsus: 90\n", "test"));
        assertEquals(ExitCode.CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains("maxTemperatureCelsus"), e.getMessage());
    }
}
