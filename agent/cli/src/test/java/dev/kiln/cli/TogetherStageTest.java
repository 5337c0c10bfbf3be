package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleReader;
import dev.kiln.core.state.Json;
import dev.kiln.core.thermal.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The together stage and the thermal judge as a rack sees them: real processes, exit status from
 * the OS, the summary parsed strictly, the sealed bundle read back. On this machine (no sensors) the
 * real suites run together and verify, a planted fault names suite and stage, and heat nobody could
 * see is never a pass; a synthetic sysfs tree rewritten while the run goes drives the judge to each
 * verdict, and {@code kiln judge} re-judges the sealed bundle without changing it.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class TogetherStageTest {
    @TempDir
    Path dir;

    private Path profile(String text) throws Exception {
        return Files.writeString(dir.resolve("p" + System.nanoTime() + ".yaml"), text);
    }

    private static final String REAL = """
            name: together-live
            hangTimeout: 20s
            suites: []
            together:
              duration: 8s
              baseline: 1s
              cooldown: 1s
              suites:
                - id: cpu
                  parameters: {phases: all-cores, kernels: "sha256,crc32c"}
                - id: memory
                  threads: 0.5
                  parameters: {size: 64MiB}
                - id: gpu
                  required: false
                  threads: 0.5
                  parameters: {device-type: all, fma-items: "4096", fma-iterations: "64", memory-size: 16MiB}
                - id: neural-engine
                  threads: 0.5
                  parameters: {provider: cpu, channels: "8", spatial: "16", sessions: "2"}
            """;

    @Test
    @Timeout(150)
    void realSuitesRunTogetherVerifyingAndAPlantedFaultNamesSuiteAndStage() throws Exception {
        Path p = profile(REAL);
        Kiln k = Kiln.run(dir, "run", "--state-dir", dir.resolve("s1").toString(), "--profile", p.toString(), "--sysfs-root",
                Files.createDirectories(dir.resolve("nosys")).toString(), "--inject-fault", "together/memory:*@-1:1");
        assertEquals(1, k.exit(), k.toString());
        Summary s = Summary.parse(k.out());
        assertEquals(1, s.exit());
        assertEquals("FAIL", s.outcomes().get("together/memory"), k.out());
        assertEquals("PASS", s.outcomes().get("together/cpu"), k.out());
        assertEquals("PASS", s.outcomes().get("together/neural-engine"), k.out());
        assertTrue(k.out().contains("FAIL together/memory:"), k.out());
        JsonNode summary = summaryOf(dir.resolve("s1"));
        JsonNode cpu = result(summary, "together/cpu");
        JsonNode mem = result(summary, "together/memory");
        assertTrue(cpu.path("checks").asLong() > 0 && mem.path("checks").asLong() > 0, "both verified while together");
        assertTrue(result(summary, "together/neural-engine").path("checks").asLong() > 0, "the inference pipeline verified while together");
        Instant cpuStart = Instant.parse(cpu.path("started").asText());
        Instant memStart = Instant.parse(mem.path("started").asText());
        Instant cpuEnd = Instant.parse(cpu.path("ended").asText());
        Instant memEnd = Instant.parse(mem.path("ended").asText());
        assertTrue(cpuStart.isBefore(memEnd) && memStart.isBefore(cpuEnd), "they ran at the same time: " + cpu + mem);
        assertEquals("together", mem.path("failures").get(0).path("details").path("stage").asText(), mem.toString());
    }

    @Test
    @Timeout(150)
    void withoutSensorsTheJudgeSkipsEachCheckAndTheRunIsNeverAPass() throws Exception {
        Path p = profile(REAL);
        Kiln k = Kiln.run(dir, "run", "--state-dir", dir.resolve("s2").toString(), "--profile", p.toString(), "--sysfs-root",
                Files.createDirectories(dir.resolve("nosys")).toString());
        Trace trace = Trace.parse(telemetryOf(dir.resolve("s2")));
        // OSHI reads the real /sys, not --sysfs-root: a machine with a CPU temperature sensor has something to judge
        assumeTrue(trace.channels().stream().noneMatch(c -> c.endsWith("_celsius") && Arrays.stream(trace.column(c)).anyMatch(Double::isFinite)),
                "this machine has a temperature sensor");
        Summary s = Summary.parse(k.out());
        assertEquals("PASS", s.outcomes().get("together/cpu"), k.out());
        assertEquals("PASS", s.outcomes().get("together/memory"), k.out());
        assertEquals("SKIPPED", s.outcomes().get("thermal"), k.out());
        assertEquals(2, k.exit(), "a thermal judge that saw nothing is INCOMPLETE, never PASS\n" + k);
        assertEquals(2, s.exit());
        assertEquals("INCOMPLETE", s.verdict());
        for (String check : new String[] {"peak-temperature", "throttling", "fans", "heat-up-rate", "cool-down"}) {
            assertTrue(k.out().contains("check " + check + " skipped: "), check + "\n" + k.out());
        }
    }

    @Test
    @Timeout(150)
    void aSignalDuringTheStageInterruptsEveryMemberAndAKillIsSealedAtTheNextStart() throws Exception {
        Sysfs sys = Sysfs.create(dir.resolve("sys-sig"));
        Kiln k = inStage(sys, "sig", SYNTHETIC);
        Thread.sleep(1000);
        k.signal("TERM");
        k.waitFor(30);
        assertEquals(2, k.exit(), k.toString());
        Summary s = Summary.parse(k.out());
        assertEquals(Map.of("together/selftest-pass", "INTERRUPTED", "together/selftest-pass-again", "INTERRUPTED", "thermal", "INTERRUPTED"),
                s.outcomes());
        assertEquals(1, pending(dir.resolve("sig")), "the cancelled run is sealed");

        // SIGKILL in the middle of the stage: no handler runs; the next start seals what the journal holds
        Kiln killed = inStage(sys, "kill", SYNTHETIC);
        Thread.sleep(1000);
        killed.signal("KILL");
        killed.waitFor(30);
        assertEquals(137, killed.exit());
        assertEquals(0, pending(dir.resolve("kill")));
        Kiln next = Kiln.run(dir, "run", "--state-dir", dir.resolve("kill").toString(), "--profile", Cli.profile("selftest-all"),
                "--suites", "selftest-pass", "--duration", "300ms");
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.err().contains("recovered run"), next.err());
        assertEquals(2, pending(dir.resolve("kill")));
        JsonNode recovered = null;
        try (Stream<Path> b = Files.list(dir.resolve("kill/outbox/pending"))) {
            for (Path p : b.toList()) {
                JsonNode sum = Json.MAPPER.readTree(BundleReader.read(Files.readAllBytes(p), BundleLimits.defaults()).get(BundleNames.SUMMARY));
                if (sum.path("recovered").asBoolean()) {
                    recovered = sum;
                }
            }
        }
        assertTrue(recovered != null, "one bundle is the killed run, sealed at the next start");
        assertEquals("INCOMPLETE", recovered.path("verdict").asText());
        assertEquals("INTERRUPTED", result(recovered, "together/selftest-pass").path("outcome").asText());
        assertEquals("INTERRUPTED", result(recovered, "together/selftest-pass-again").path("outcome").asText());
    }

    private static final String GUARDED = """
            name: together-guarded
            suites: []
            together:
              duration: 90s
              baseline: 2s
              cooldown: 3s
              suites:
                - id: selftest-pass
                - id: selftest-pass-again
              thermal:
                breachSeconds: 2
                criticalCelsius: 105
            """;

    /**
     * The live heat guard: a sensor held past the critical limit stops the load within the breach time
     * plus a margin, the run is judged FAIL and sealed (a 90-s stage ends in seconds); killed the
     * moment the guard trips, the next start seals the run FAIL from its journal and trace.
     */
    @Test
    @Timeout(200)
    void theHeatGuardStopsTheLoadAtOnceAndAKillAtThatMomentIsStillAFail() throws Exception {
        Sysfs sys = Sysfs.create(dir.resolve("sys-guard"));
        Kiln k = inStage(sys, "guard", GUARDED);
        Thread.sleep(1500);
        Instant hot = Instant.now();
        sys.set(120, 2500, 3_000_000);
        k.waitFor(60);
        long seconds = Duration.between(hot, Instant.now()).toSeconds();
        assertEquals(1, k.exit(), k.toString());
        assertTrue(k.err().contains("heat guard: thermal_zone0_soc_celsius held above 105.0 °C"), k.err());
        Summary s = Summary.parse(k.out());
        assertEquals("FAIL", s.outcomes().get("heat-guard"), k.out());
        assertEquals("INTERRUPTED", s.outcomes().get("together/selftest-pass"), k.out());
        assertEquals("FAIL", s.outcomes().get("thermal"), "the judge still judged the trace: " + k.out());
        JsonNode sealed = summaryOf(dir.resolve("guard"));
        for (String id : List.of("together/selftest-pass", "together/selftest-pass-again")) {
            JsonNode m = result(sealed, id);
            assertTrue(m.path("reason").asText().startsWith("the load was stopped: thermal_zone0_soc_celsius held above"),
                    m.toString());
            double stoppedAfter = Duration.between(hot, Instant.parse(m.path("ended").asText())).toMillis() / 1000.0;
            // 2 s of breach, up to 1 s for the sampler to see the first hot reading, and a margin for a busy machine
            assertTrue(stoppedAfter <= 2 + 1 + 3, id + " stopped " + stoppedAfter + " s after the sensor went past the limit");
        }
        assertTrue(seconds < 40, "the 90-s stage ended early: " + seconds + " s");

        // killed the moment the guard trips: the next start seals it FAIL
        Sysfs sys2 = Sysfs.create(dir.resolve("sys-guard2"));
        Kiln killed = inStage(sys2, "guard2", GUARDED);
        sys2.set(120, 2500, 3_000_000);
        killed.awaitErr("heat guard:", 30);
        killed.signal("KILL");
        killed.waitFor(30);
        assertEquals(137, killed.exit());
        Kiln next = Kiln.run(dir, "run", "--state-dir", dir.resolve("guard2").toString(), "--profile", Cli.profile("selftest-all"),
                "--suites", "selftest-pass", "--duration", "300ms");
        assertTrue(next.err().contains("recovered run") && next.err().contains("(FAIL)"), next.err());
    }

    /**
     * The Neural Engine suite as a technician meets it: on this machine (no Neural Engine) a required
     * run of it is INCOMPLETE with the reason, never a pass; the CPU-provider pipeline with a planted
     * NaN is a FAIL (exit 1) whose sealed bundle names the output tensor's index.
     */
    @Test
    @Timeout(120)
    void theNeuralEngineSuiteSkipsHereAndItsPipelineCatchesAPlantedNan() throws Exception {
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        assumeTrue(!(os.contains("mac") && System.getProperty("os.arch").equals("aarch64")), "this Mac has a Neural Engine");
        Kiln skip = Kiln.run(dir, "run", "--state-dir", dir.resolve("ne1").toString(), "--suites", "neural-engine", "--duration", "3s", "--no-upload");
        assertEquals(2, skip.exit(), skip.toString());
        Summary s1 = Summary.parse(skip.out());
        assertEquals("SKIPPED", s1.outcomes().get("neural-engine"), skip.out());
        assertTrue(skip.out().contains("no Neural Engine: it exists only on Apple Silicon under macOS"), skip.out());

        Kiln nan = Kiln.run(dir, "run", "--state-dir", dir.resolve("ne2").toString(), "--suites", "neural-engine", "--duration", "4s",
                "-P", "neural-engine.provider=cpu", "-P", "neural-engine.channels=8", "-P", "neural-engine.spatial=8", "-P", "neural-engine.outputs=30",
                "--inject-fault", "neural-engine:nan@-1:3", "--no-upload");
        assertEquals(1, nan.exit(), nan.toString());
        assertEquals("FAIL", Summary.parse(nan.out()).outcomes().get("neural-engine"), nan.out());
        JsonNode ne = result(summaryOf(dir.resolve("ne2")), "neural-engine");
        JsonNode first = ne.path("failures").get(0);
        assertEquals("ne-non-finite-output", first.path("symptom").asText(), ne.toString());
        assertEquals("[0,20]", first.path("details").path("index").toString(), first.toString());
        assertEquals(3, first.path("details").path("iteration").asLong(), first.toString());
        assertEquals("cpu", ne.path("parameters").path("provider").asText());
    }

    private static long pending(Path state) throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("outbox/pending"))) {
            return s.filter(p -> p.toString().endsWith(".kiln.zip")).count();
        }
    }

    /** A sysfs tree with one thermal zone, one fan and one CPU's clock, rewritten as the run goes. */
    private record Sysfs(Path root, Path temp, Path fan, Path freq) {
        static Sysfs create(Path root) throws Exception {
            Path zone = Files.createDirectories(root.resolve("sys/class/thermal/thermal_zone0"));
            Files.writeString(zone.resolve("type"), "soc");
            Path hw = Files.createDirectories(root.resolve("sys/class/hwmon/hwmon0"));
            Files.writeString(hw.resolve("name"), "fanctl");
            Path cpu = Files.createDirectories(root.resolve("sys/devices/system/cpu/cpu0/cpufreq"));
            Files.writeString(cpu.resolve("cpuinfo_max_freq"), "3000000");
            Sysfs s = new Sysfs(root, zone.resolve("temp"), hw.resolve("fan1_input"), cpu.resolve("scaling_cur_freq"));
            s.set(40, 1000, 1_200_000);
            return s;
        }

        void set(double celsius, int rpm, int khz) throws Exception {
            write(temp, Long.toString(Math.round(celsius * 1000)));
            write(fan, Integer.toString(rpm));
            write(freq, Integer.toString(khz));
        }

        private static void write(Path p, String v) throws Exception {
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, v);
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static final String SYNTHETIC = """
            name: together-synthetic
            suites: []
            together:
              duration: 9s
              baseline: 4s
              cooldown: 5s
              suites:
                - id: selftest-pass
                - id: selftest-pass-again
              thermal:
                breachSeconds: 2
                equilibriumWindow: 3s
                heatUpWindow: 2s
                maxHeatUpCelsiusPerSecond: 20
                maxCoolDown: 4s
                loadStepCelsius: 5
            """;

    /** Starts a run of {@code profileText} in state {@code state} on the tree, returning once both stage members have started. */
    private Kiln inStage(Sysfs sys, String state, String profileText) throws Exception {
        Kiln k = Kiln.start(dir, "run", "--state-dir", dir.resolve(state).toString(), "--profile", profile(profileText).toString(),
                "--sysfs-root", sys.root().toString());
        k.awaitOut("> together/selftest-pass-again", 60);
        return k;
    }

    /** Runs the synthetic profile while {@code hot} °C is written during the stage; returns the process. */
    private Kiln synthetic(String state, double hot, int fanUnderLoad) throws Exception {
        Sysfs sys = Sysfs.create(dir.resolve("sys-" + state));
        Kiln k = inStage(sys, state, SYNTHETIC);
        for (int i = 1; i <= 4; i++) { // a 4-second ramp, well under the heat-up limit
            sys.set(40 + (hot - 40) * i / 4.0, fanUnderLoad, 3_000_000);
            Thread.sleep(1000);
        }
        k.awaitOut("together/selftest-pass-again in", 60);
        sys.set(40, 1000, 1_200_000);
        k.waitFor(60);
        return k;
    }

    @Test
    @Timeout(200)
    void aSyntheticSysfsTreeDrivesTheJudgeToEachVerdictAndKilnJudgeReJudgesTheBundle() throws Exception {
        Kiln healthy = synthetic("ok", 70, 2500);
        Summary s = Summary.parse(healthy.out());
        assertEquals(0, healthy.exit(), healthy.toString());
        assertEquals(Map.of("together/selftest-pass", "PASS", "together/selftest-pass-again", "PASS", "thermal", "PASS"), s.outcomes());
        String out = healthy.out();
        assertTrue(out.contains("thermal  (about 18s)"), "9 s together, 4 s baseline, 5 s cool-down\n" + out);
        int baseline = out.indexOf("stage together: 4.0s idle for the thermal baseline, then 2 suites together");
        int cooldown = out.indexOf("stage together: 5.0s idle to cool down");
        assertTrue(baseline >= 0 && baseline < out.indexOf("> together/selftest-pass") && cooldown > out.indexOf("together/selftest-pass-again in"),
                "the idle parts are said as they happen\n" + out);

        Kiln hot = synthetic("hot", 110, 2500);
        assertEquals(1, hot.exit(), hot.toString());
        assertEquals("FAIL", Summary.parse(hot.out()).outcomes().get("thermal"));
        assertTrue(hot.out().contains("peak-temperature: thermal_zone0_soc_celsius held 110.0 °C, above the limit of 100.0 °C"), hot.out());

        Kiln still = synthetic("fan", 70, 1000);
        assertEquals(1, still.exit(), still.toString());
        assertTrue(still.out().contains("no fan sped up while thermal_zone0_soc_celsius rose"), still.out());

        // kiln judge: the healthy bundle passes again as sealed, and fails a SKU that allows 60 °C; the bundle is unchanged
        Path bundle = bundleOf(dir.resolve("ok"));
        String before = sha256(bundle);
        Kiln again = Kiln.run(dir, "judge", bundle.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("Thermal: PASS"), again.out());
        Path sku = Files.writeString(dir.resolve("tight.yaml"), "name: tight\nlimits:\n  maxTemperatureCelsius: 60\n  maxEquilibriumCelsius: 55\n");
        Kiln tight = Kiln.run(dir, "judge", bundle.toString(), "--sku", sku.toString(), "--json");
        assertEquals(1, tight.exit(), tight.toString());
        JsonNode j = Json.MAPPER.readTree(tight.out());
        assertEquals("FAIL", j.path("status").asText());
        assertEquals(60.0, j.path("thresholds").path("maxTemperatureCelsius").asDouble());
        assertEquals(before, sha256(bundle), "judging never changes the bundle");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: bad\nlimits:\n  maxTemperatureCelsius: 60\n  maxEquilibriumCelsius: 70\n");
        Kiln refused = Kiln.run(dir, "judge", bundle.toString(), "--sku", bad.toString());
        assertEquals(78, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("limits.maxEquilibriumCelsius"), refused.err());
        Kiln notABundle = Kiln.run(dir, "judge", sku.toString());
        assertEquals(65, notABundle.exit(), notABundle.toString());
    }

    @Test
    void badStagesAreRefusedAtLoadNamingTheField() throws Exception {
        String base = "name: bad\nsuites: []\ntogether:\n  duration: 5s\n  suites:\n";
        Map<String, String> cases = Map.of(
                base + "    - id: nosuch\n", "together.suites names unknown suite 'nosuch'",
                base + "    - id: selftest-pass\n      threads: 1.5\n", "together.suites.selftest-pass.threads: 1.5 is not a share in (0, 1]",
                base + "    - id: selftest-pass\n      threads: 0\n", "threads: 0.0 is not a share in (0, 1]",
                base + "    - id: selftest-pass\n  thermal:\n    maxTemperatureCelsius: 80\n    maxEquilibriumCelsius: 90\n",
                "together.thermal.maxEquilibriumCelsius is above maxTemperatureCelsius",
                base + "    - id: selftest-pass\n  thermal:\n    clockShare: 0\n", "together.thermal.clockShare must be a share in (0, 1]",
                base + "    - id: selftest-pass\n    - id: selftest-pass\n", "lists suite 'selftest-pass' twice",
                "name: bad\nsuites: []\ntogether:\n  duration: soon\n  suites: [{id: selftest-pass}]\n", "together.duration",
                "name: bad\nsuites: []\ntogether:\n  duration: 0s\n  suites: [{id: selftest-pass}]\n", "together.duration must be above zero");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Cli r = Cli.run("run", "--state-dir", dir.resolve("never").toString(), "--profile", profile(c.getKey()).toString());
            assertEquals(78, r.code(), c.getKey() + "\n" + r);
            assertTrue(r.err().contains(c.getValue()), c.getValue() + "\n" + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertTrue(!Files.exists(dir.resolve("never")), "nothing written before the input was checked");
    }

    private static Path bundleOf(Path state) throws Exception {
        try (Stream<Path> s = Files.list(state.resolve("outbox/pending"))) {
            return s.filter(p -> p.toString().endsWith(".kiln.zip")).findFirst().orElseThrow();
        }
    }

    private static JsonNode summaryOf(Path state) throws Exception {
        Map<String, byte[]> f = BundleReader.read(Files.readAllBytes(bundleOf(state)), BundleLimits.defaults());
        return Json.MAPPER.readTree(f.get(BundleNames.SUMMARY));
    }

    private static String telemetryOf(Path state) throws Exception {
        Map<String, byte[]> f = BundleReader.read(Files.readAllBytes(bundleOf(state)), BundleLimits.defaults());
        return new String(f.get(BundleNames.TELEMETRY), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static JsonNode result(JsonNode summary, String id) {
        for (JsonNode r : summary.path("suites")) {
            if (r.path("suiteId").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no result " + id + " in " + summary);
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
