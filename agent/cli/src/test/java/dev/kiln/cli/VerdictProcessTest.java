package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.kit.OcpStreamValidator;
import dev.kiln.core.state.Json;
import dev.kiln.suites.selftest.PlanThrowsSuite;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The verdict and the exit code as a rack sees them: real processes, the exit status from the OS,
 * stdout parsed strictly. Each test is one way the agent used to report something other than what
 * happened.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class VerdictProcessTest {
    @TempDir
    Path dir;

    private String state() {
        return dir.resolve("state").toString();
    }

    @Test
    @Timeout(120)
    void everyBrokenLifecycleCallIsErrorAndTheRunGoesOn() throws Exception {
        Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--hang-timeout", "1s",
                "--suites", "selftest-availability-throws,selftest-plan-throws,selftest-finish-hangs,selftest-idle,selftest-unverified,"
                        + "selftest-pass", "--duration", "3s");
        Summary s = Summary.parse(k.out());
        assertEquals(2, k.exit(), k.toString());
        assertEquals(k.exit(), s.exit(), "the summary prints the code the process returns");
        assertEquals("INCOMPLETE", s.verdict());
        assertEquals(Map.of("selftest-availability-throws", "ERROR", "selftest-plan-throws", "ERROR", "selftest-finish-hangs", "ERROR",
                "selftest-idle", "ERROR", "selftest-unverified", "ERROR", "selftest-pass", "PASS"), s.outcomes());
        String out = k.out();
        for (String reason : List.of("availability failed: IllegalStateException: planted bug in availability",
                "plan failed: IllegalArgumentException: planted bug in plan", "finish did not return within 1.0s",
                "no work done: the suite was given time and ran no iteration", "claims to verify every result but reported no check")) {
            assertTrue(out.contains(reason), reason + "\n" + out);
        }
        assertTrue(out.contains(PlanThrowsSuite.CLEANED), "cleanup ran after plan threw\n" + out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    @Timeout(90)
    void aSignalCancelsSealsAndExits2AsTheSummarySays(String signal) throws Exception {
        Kiln k = Kiln.start(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass,selftest-pass-again", "--duration", "120s");
        k.awaitOut("> selftest-pass ", 30);
        Thread.sleep(300);
        k.signal(signal);
        k.waitFor(30);
        assertEquals(2, k.exit(), "incomplete, not 128 + signal\n" + k);
        Summary s = Summary.parse(k.out());
        assertEquals(2, s.exit());
        assertEquals(Map.of("selftest-pass", "INTERRUPTED", "selftest-pass-again", "INTERRUPTED"), s.outcomes());
        assertTrue(k.err().contains("SIG" + signal + ": cancelling the run"), k.err());
        try (Stream<Path> p = Files.list(dir.resolve("state/outbox/pending"))) {
            assertEquals(1, p.count(), "the cancelled run is sealed");
        }
    }

    @Test
    @Timeout(90)
    void aSecondSignalWhileSealingStopsAtOnceAndTheRunIsSealedAtTheNextStart() throws Exception {
        Kiln k = Kiln.start(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms", "--pause-at", "SEALING");
        k.awaitErr("paused at sealing", 30);
        k.signal("TERM");
        // standard signals do not queue: two sent at once may arrive as one, so the second is sent
        // once the first has been handled
        k.awaitErr("SIGTERM: cancelling the run", 30);
        k.signal("TERM");
        k.waitFor(30);
        assertEquals(2, k.exit(), k.toString());
        assertTrue(k.err().contains("SIGTERM again: stopping now with exit 2"), k.err());
        assertFalse(k.out().contains("Verdict"), "no summary promises what did not happen\n" + k.out());
        Kiln next = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms");
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.err().contains("recovered run"), next.err());
    }

    /**
     * A signal at any moment of start-up, with the machine busy: the process ends with a Kiln code,
     * 2 with its run sealed INTERRUPTED (the rack's Prometheus may already see it: the run leaves its
     * record), or the JVM's 143 only while no state was touched. The moment /metrics first answers
     * ended with 143 and no record 8 times in 8 before the start-up's own handler.
     */
    @Test
    @Timeout(300)
    void aSignalAtAnyMomentOfStartUpEndsWithAKilnCodeAndTheRunsRecord() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int t = 0; t < 2; t++) { // load: the start-up is slow and its moments spread out
            Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (busy.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
        }
        try {
            // held at the moment between: state touched, /metrics answering, the run not started
            Path held = dir.resolve("held");
            Kiln h = Kiln.start(dir, "run", "--state-dir", held.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass", "--duration", "20s", "--metrics-port", "0", "--pause-at", "STARTING");
            h.awaitErr("paused at starting", 60);
            String heldUrl = h.err().replaceAll("(?s).*metrics at (http://\\S+/metrics).*", "$1").replaceFirst("//[^:/]+:", "//127.0.0.1:");
            assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(heldUrl)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "the rack already sees the run");
            h.signal("TERM");
            h.waitFor(120);
            assertEquals(2, h.exit(), "a Kiln code, not the JVM's 143\n" + h);
            assertTrue(h.err().contains("SIGTERM: cancelling the run before its suites start; if it starts, it ends INTERRUPTED and is sealed"),
                    h.err());
            try (Stream<Path> p = Files.list(held.resolve("outbox/pending"))) {
                assertEquals(1, p.count(), "the run leaves its record, sealed INTERRUPTED\n" + h);
            }
            assertTrue(h.out().contains("INTERRUPTED"), h.out());

            List<String> ends = new ArrayList<>();
            int[] delaysMs = {-1, 0, 150, 300, 600, 1000, 1600};
            for (int i = 0; i < delaysMs.length; i++) {
                Path st = dir.resolve("s" + i);
                Kiln k = Kiln.start(dir, "run", "--state-dir", st.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                        "selftest-pass", "--duration", "20s", "--metrics-port", "0");
                if (delaysMs[i] < 0) { // the moment /metrics first answers
                    k.awaitErr("metrics at http://", 60);
                    String url = k.err().replaceAll("(?s).*metrics at (http://\\S+/metrics).*", "$1").replaceFirst("//[^:/]+:", "//127.0.0.1:");
                    HttpClient http = HttpClient.newHttpClient();
                    while (true) {
                        try {
                            if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                                break;
                            }
                        } catch (java.io.IOException notYet) {
                            Thread.sleep(5);
                        }
                    }
                } else {
                    Thread.sleep(delaysMs[i]);
                }
                k.signal("TERM");
                k.waitFor(120);
                long bundles;
                try (Stream<Path> p = Files.exists(st.resolve("outbox/pending")) ? Files.list(st.resolve("outbox/pending")) : Stream.empty()) {
                    bundles = p.filter(x -> x.toString().endsWith(".kiln.zip")).count();
                }
                ends.add(delaysMs[i] + " ms: exit " + k.exit() + ", " + bundles + " bundle(s)");
                if (k.exit() == 143) {
                    assertFalse(Files.exists(st), "143 only before any state was touched: " + ends + "\n" + k);
                } else if (k.exit() == 1 && (k.out() + k.err()).contains("Error occurred during initialization of VM")) {
                    // the JDK's own window: a SIGTERM in the JVM's second phase of initialisation, before any Kiln code,
                    // ends it with the JVM's 1 (seen once in CI under load, at 150 ms); documented, and nothing was touched
                    assertFalse(Files.exists(st), "the JVM never started Kiln: " + ends + "\n" + k);
                    assertTrue(delaysMs[i] >= 0, "never once /metrics answered");
                } else {
                    assertEquals(2, k.exit(), ends + "\n" + k);
                    assertEquals(1, bundles, "the run leaves its record, sealed INTERRUPTED: " + ends + "\n" + k);
                }
                if (delaysMs[i] < 0) {
                    assertEquals(2, k.exit(), "once /metrics answers the run is the process's: " + k);
                }
            }
        } finally {
            busy.set(false);
        }
    }

    @Test
    @Timeout(90)
    void aSecondSignalAfterAFailWasRecordedKeepsTheFailsCode() throws Exception {
        Kiln k = Kiln.start(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-fail", "--duration", "300ms", "--pause-at", "SEALING");
        k.awaitErr("paused at sealing", 30);
        k.signal("TERM");
        k.awaitErr("SIGTERM: cancelling the run", 30);
        k.signal("TERM");
        k.waitFor(30);
        assertEquals(1, k.exit(), "a defect found stands whatever stops the process after it\n" + k);
        assertTrue(k.err().contains("SIGTERM again: stopping now with exit 1"), k.err());
        Kiln next = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms");
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.err().contains("recovered run") && next.err().contains("FAIL"), "sealed as the FAIL it exited with: " + next.err());
    }

    @Test
    @Timeout(90)
    void aSignalDuringDeliveryStopsOnlyTheDeliveryAndSaysSo() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts, never answers: a service that hangs
            Thread.ofPlatform().daemon().start(() -> {
                List<java.net.Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            Kiln k = Kiln.start(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                    "--duration", "300ms", "--service", "http://127.0.0.1:" + silent.getLocalPort());
            k.awaitOut("Summary", 30);
            Thread.sleep(500); // delivery under way
            k.signal("TERM");
            k.waitFor(20);
            assertEquals(0, k.exit(), "the verdict (PASS) stands: only the delivery was stopped\n" + k);
            assertEquals(0, Summary.parse(k.out()).exit());
            assertTrue(k.err().contains("SIGTERM: stopping delivery"), "says what it does, not 'cancelling the run': " + k.err());
            assertTrue(k.out().contains("not delivered yet"), k.out());
            try (Stream<Path> p = Files.list(dir.resolve("state/outbox/pending"))) {
                assertEquals(1, p.count(), "the bundle waits in the outbox");
            }
        }
    }

    @Test
    @Timeout(60)
    void suitesNamedOnTheCommandLineAreRequired() throws Exception {
        // selftest-skip is optional in this profile; named with --suites, the verdict rests on it.
        Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-optional-skip"), "--suites",
                "selftest-skip");
        Summary s = Summary.parse(k.out());
        assertEquals(2, k.exit(), k.toString());
        assertEquals("INCOMPLETE", s.verdict());
        assertEquals("selftest-skip SKIPPED", s.explain());
    }

    /** A copy strategy this machine does not offer (issue 34): 64, one line naming it and listing what is offered, nothing written. */
    @Test
    @Timeout(60)
    void anUnofferedCopyStrategyIsAUsageErrorNamingWhatIsOffered() throws Exception {
        for (String bad : new String[] {"memory.copy=warp-9", "memory.fill=fused-256k"}) {
            Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--suites", "memory", "-P", bad, "--duration", "5s");
            assertEquals(64, k.exit(), k.toString());
            String value = bad.substring(bad.indexOf('=') + 1);
            assertTrue(k.err().lines().anyMatch(l -> l.contains("'" + value + "'") && l.contains("this machine offers: auto, calibrate, ")
                    && l.contains("segment-256k")), k.err());
            assertFalse(Files.exists(dir.resolve("state")), "nothing written");
        }
    }

    /** A cross-core pair placement this machine's topology cannot give (issue 33; this machine has one die): 64 naming the parameter, nothing written. */
    @Test
    @Timeout(60)
    void aPairPlacementThisMachineCannotGiveIsAUsageError() throws Exception {
        // the dies as the run itself reads them (the platform probe's topology)
        java.util.Set<Integer> dies = new java.util.HashSet<>();
        dev.kiln.core.platform.PlatformProbe.current().cpus().forEach(c -> dies.add(c.die()));
        org.junit.jupiter.api.Assumptions.assumeTrue(dies.size() == 1, "a machine of one die (this one has " + dies + ")");
        for (String bad : new String[] {"cpu.cross-core-pairs=other-die", "cpu.cross-core-pairs=sideways"}) {
            Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--suites", "cpu", "-P", bad, "--duration", "5s");
            assertEquals(64, k.exit(), k.toString());
            assertTrue(k.err().lines().anyMatch(l -> l.contains("cross-core-pairs") && l.contains(bad.substring(bad.indexOf('=') + 1))), k.err());
            assertFalse(Files.exists(dir.resolve("state")), "nothing written");
        }
    }

    @Test
    @Timeout(60)
    void aBadMetricsPortIsAUsageErrorBeforeAnythingIsWritten() throws Exception {
        Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--metrics-port", "70000");
        assertEquals(64, k.exit(), k.toString());
        assertTrue(k.err().contains("--metrics-port 70000: not a TCP port"), k.err());
        assertFalse(Files.exists(dir.resolve("state")), "nothing written");
        try (ServerSocket taken = new ServerSocket(0)) {
            Kiln busy = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass", "--metrics-port", Integer.toString(taken.getLocalPort()));
            assertEquals(64, busy.exit(), busy.toString());
            assertTrue(busy.err().contains("cannot listen there"), busy.err());
            assertFalse(Files.exists(dir.resolve("state")), "nothing written");
        }
    }

    @Test
    @Timeout(60)
    void aSkuThatChecksNothingIsRefused() throws Exception {
        Path sku = Files.writeString(dir.resolve("name-only.yaml"), "name: mac-studio\n");
        Kiln k = Kiln.run(dir, "run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--sku", sku.toString());
        assertEquals(78, k.exit(), k.toString());
        assertTrue(k.err().contains("names no part and no limit to check"), k.err());
        assertEquals(1, k.err().lines().filter(l -> l.startsWith("kiln:")).count(), "one line: " + k.err());
        assertFalse(Files.exists(dir.resolve("state")), "nothing written");
    }

    /** The paths the dynamic linker resolves {@code libOpenCL.so} to, if an OpenCL loader is installed. */
    private static List<String> openClLoaders() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "ldconfig -p 2>/dev/null | grep 'libOpenCL\\.so' | sed 's/.*=> //'").start();
        String text = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** The command in a mount namespace where every OpenCL loader reads as /dev/null, or as it is when none is installed. */
    private static List<String> withoutOpenCl(List<String> command) throws Exception {
        List<String> loaders = openClLoaders();
        if (loaders.isEmpty()) {
            return command;
        }
        boolean unshare = new ProcessBuilder("unshare", "-m", "true").start().waitFor() == 0;
        assumeTrue(unshare, "an OpenCL loader is installed and cannot be hidden here (unshare -m needs root)");
        StringBuilder script = new StringBuilder();
        for (String l : loaders) {
            script.append("mount --bind /dev/null '").append(l).append("' && ");
        }
        script.append("exec \"$@\"");
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "sh", "-c", script.toString(), "kiln"));
        wrapped.addAll(command);
        return wrapped;
    }

    @Test
    @Timeout(120)
    void withoutAnOpenClLoaderStdoutCarriesOnlyJson() throws Exception {
        Kiln suites = Kiln.start(dir, Map.of(), withoutOpenCl(Kiln.command("suites", "--json"))).waitFor(60);
        assertEquals(0, suites.exit(), suites.toString());
        assertTrue(suites.err().contains("Could not load libOpenCL"), "the loader really was missing: " + suites.err());
        JsonNode rows = Json.MAPPER.readTree(suites.out());
        assertTrue(rows.isArray() && rows.size() >= 3, suites.out());

        Kiln run = Kiln.start(dir, Map.of(), withoutOpenCl(Kiln.command("run", "--state-dir", state(), "--profile",
                gpuProfile().toString(), "--suites", "selftest-pass,gpu", "--output", "jsonl"))).waitFor(60);
        assertEquals(List.of(), OcpStreamValidator.validate(run.out()), run.out());
        assertEquals(Map.of("selftest-pass", "PASS", "gpu", "SKIPPED"), OcpStreamValidator.outcomes(run.out()));
        assertEquals(2, run.exit(), "gpu named and absent: incomplete\n" + run);
    }

    /**
     * {@code kiln suites} says what {@code kiln run} does with every suite here, the same answer with
     * the same reason (PoCL present: its CPU device is no GPU; and hidden; ONNX Runtime CPU-only: no
     * Neural Engine): the listing asks the run's own question, with the profile's parameters.
     */
    @Test
    @Timeout(300)
    void kilnSuitesSaysWhatKilnRunDoesWithEverySuiteHere() throws Exception {
        for (boolean hidden : new boolean[] {false, true}) {
            List<String> list = Kiln.command("suites", "--json", "--profile", "smoke");
            Path st = dir.resolve(hidden ? "hidden" : "present");
            List<String> run = Kiln.command("run", "--state-dir", st.toString(), "--profile", "smoke", "--duration", "8s", "--no-upload",
                    "--output", "jsonl", "-P", "memory.size=16MiB");
            Kiln suites = Kiln.start(dir, Map.of(), hidden ? withoutOpenCl(list) : list).waitFor(120);
            Kiln k = Kiln.start(dir, Map.of(), hidden ? withoutOpenCl(run) : run).waitFor(200);
            assertEquals(0, suites.exit(), suites.toString());
            Map<String, String> outcomes = OcpStreamValidator.outcomes(k.out());
            assertEquals(4, outcomes.size(), k.toString());
            for (JsonNode row : Json.MAPPER.readTree(suites.out())) {
                String id = row.get("id").asText();
                if (!outcomes.containsKey(id)) {
                    continue; // not in the profile
                }
                if (row.get("available").asBoolean()) {
                    assertTrue(!outcomes.get(id).equals("SKIPPED"), id + ": listed available, the run skipped it\n" + suites.out() + k);
                } else {
                    assertEquals("SKIPPED", outcomes.get(id), id + ": listed " + row + ", the run did otherwise\n" + k);
                    assertTrue(k.out().contains(row.get("reason").asText().replace("\"", "\\\"")), id + ": the same reason\n" + row + "\n" + k.out());
                }
            }
            assertEquals("SKIPPED", outcomes.get("gpu"), "no GPU device here, PoCL's CPU device or none: " + outcomes);
            assertEquals("SKIPPED", outcomes.get("neural-engine"), outcomes.toString());
        }
    }

    /** A profile a run refuses (a parameter value its suite rejects) is refused by {@code kiln suites} alike: 78, the same words. */
    @Test
    @Timeout(120)
    void kilnSuitesRefusesAProfileTheRunRefuses() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad-param.yaml"), """
                name: bad-param
                suites:
                  - id: cpu
                    duration: 2s
                    parameters:
                      degraded-margin: "7"
                """);
        Kiln suites = Kiln.start(dir, Map.of(), Kiln.command("suites", "--json", "--profile", bad.toString())).waitFor(60);
        Kiln run = Kiln.start(dir, Map.of(), Kiln.command("run", "--state-dir", state(), "--profile", bad.toString(), "--no-upload")).waitFor(60);
        assertEquals(78, run.exit(), run.toString());
        assertEquals(78, suites.exit(), suites.toString());
        assertEquals("", suites.out(), "nothing listed");
        assertTrue(suites.err().contains("degraded-margin") && run.err().contains("degraded-margin"), suites + "\n" + run);
    }

    /** A short profile in which the GPU suite is optional, as in smoke. */
    private Path gpuProfile() throws java.io.IOException {
        return Files.writeString(dir.resolve("optional-gpu.yaml"), """
                name: optional-gpu
                hangTimeout: 5s
                suites:
                  - id: selftest-pass
                    duration: 500ms
                  - id: gpu
                    duration: 1s
                    required: false
                """);
    }

    /** A fake OpenCL loader whose platform query fails as a broken driver's would (CL_OUT_OF_HOST_MEMORY). */
    private Path brokenOpenCl() throws Exception {
        boolean cc = new ProcessBuilder("sh", "-c", "command -v cc").start().waitFor() == 0;
        assumeTrue(cc, "no C compiler to build the fake OpenCL loader");
        Path lib = Files.createDirectories(dir.resolve("fake-opencl"));
        Path src = Files.writeString(lib.resolve("broken.c"), """
                #include <stdint.h>
                /* clGetPlatformIDs as a broken driver answers it: CL_OUT_OF_HOST_MEMORY (-6). */
                int32_t clGetPlatformIDs(uint32_t n, void **platforms, uint32_t *count) {
                    (void) n; (void) platforms;
                    if (count) *count = 0;
                    return -6;
                }
                """);
        int rc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", lib.resolve("libOpenCL.so").toString(), src.toString())
                .inheritIO().start().waitFor();
        assertEquals(0, rc, "building the fake loader");
        return lib;
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @Timeout(120)
    void aBrokenOpenClDriverIsErrorNotAbsentAndNeverAPass() throws Exception {
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", brokenOpenCl().toString());
        Kiln k = Kiln.start(dir, env, Kiln.command("run", "--state-dir", state(), "--profile", gpuProfile().toString())).waitFor(60);
        Summary s = Summary.parse(k.out());
        assertEquals(Map.of("selftest-pass", "PASS", "gpu", "ERROR"), s.outcomes(), k.toString());
        assertTrue(k.out().contains("OpenCL failed while listing devices: CL_OUT_OF_HOST_MEMORY (status -6)"), k.out());
        assertEquals("INCOMPLETE", s.verdict(), "an optional suite may be absent, not broken");
        assertEquals(2, k.exit());

        Kiln suites = Kiln.start(dir, env, Kiln.command("suites", "--json")).waitFor(60);
        assertEquals(0, suites.exit(), suites.toString());
        for (JsonNode row : Json.MAPPER.readTree(suites.out())) {
            if (row.get("id").asText().equals("gpu")) {
                assertEquals("ERROR", row.get("category").asText(), row.toString());
            }
        }
    }
}
