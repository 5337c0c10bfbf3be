package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.kit.OcpStreamValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Black-box runs of the CLI over the self-test suites: exit codes, outcomes, events. */
class RunCommandTest {
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path state;

    private static Cli run(String suite, String... extra) {
        String[] base = {"run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", suite,
            "--progress", "plain"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Cli.run(all);
    }

    @Test
    void passExitsZeroWithASummary() {
        Cli c = run("selftest-pass");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("Summary"), c.out());
        assertTrue(c.out().contains("Verdict  PASS"), c.out());
        assertTrue(c.out().contains("--seed 0x"), "tells how to replay");
    }

    @Test
    void defectExitsOne() {
        Cli c = run("selftest-fail");
        assertEquals(1, c.code(), c.toString());
        assertTrue(c.out().contains("FAIL selftest-fail: planted defect at iteration 2"), c.out());
    }

    @Test
    void requiredSkipIsIncompleteOptionalSkipIsNot() {
        Cli c = run("selftest-skip");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.out().contains("NOT_PRESENT: no self-test widget on this machine"), c.out());
        Cli opt = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-optional-skip"));
        assertEquals(0, opt.code(), opt.toString());
        assertTrue(opt.out().contains("(optional)"), opt.out());
    }

    @Test
    @Timeout(30)
    void hangIsAFailureAndTheRunGoesOn() {
        Cli c = run("selftest-hang,selftest-pass-again", "--hang-timeout", "1s");
        assertEquals(1, c.code(), c.toString());
        assertTrue(c.out().matches("(?s).*selftest-hang\\s+HUNG.*"), c.out());
        assertTrue(c.out().matches("(?s).*selftest-pass-again\\s+PASS.*"), c.out());
    }

    @Test
    void suiteBugIsErrorAndIncomplete() {
        Cli c = run("selftest-throw");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.out().contains("planted bug in the suite"), c.out());
    }

    @Test
    void runningOutOfMemoryIsAnErrorThatSaysTheHeap() {
        Cli c = run("selftest-resource");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.out().contains("ERROR") && c.out().contains("out of memory in prepare") && c.out().contains("MiB"), c.out());
    }

    @Test
    @Timeout(60)
    void everyBehaviourInOneJsonlRun() {
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--output", "jsonl", "--seed", "7");
        assertEquals(1, c.code(), c.toString());
        List<String> problems = OcpStreamValidator.validate(c.out());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(Map.of("selftest-pass", "PASS", "selftest-fail", "FAIL", "selftest-skip", "SKIPPED",
                "selftest-hang", "HUNG", "selftest-throw", "ERROR", "selftest-resource", "ERROR",
                "selftest-pass-again", "PASS"), OcpStreamValidator.outcomes(c.out()));
        assertTrue(c.out().contains("\"seed\":\"0x0000000000000007\""));
        assertTrue(c.out().contains("\"verdict\":\"selftest-planted-defect\""), "the defect itself is a diagnosis");
        assertTrue(c.out().lines().reduce((a, b) -> b).orElseThrow().contains("\"testRunEnd\":{\"status\":\"COMPLETE\",\"result\":\"FAIL\"}"));
    }

    @Test
    void theSameSeedReplaysTheSameWork() {
        String[] args = {"run", "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass", "--output", "jsonl",
            "--seed", "0x1234", "--max-iterations", "5", "--state-dir", state.toString()};
        String a = digest(Cli.run(args).out());
        String b = digest(Cli.run(args).out());
        args[8] = "0x1235";
        String c = digest(Cli.run(args).out());
        assertEquals(a, b);
        assertTrue(!a.equals(c), "another seed, other work");
    }

    private static String digest(String jsonl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("workDigest=(0x[0-9a-f]+)").matcher(jsonl);
        assertTrue(m.find(), jsonl);
        return m.group(1);
    }

    @Test
    void cpuSuiteThroughTheCliCatchesAPlantedFault() {
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--suites", "cpu", "-P", "cpu.kernels=crc32c", "--duration", "2s", "--output", "jsonl",
                "--inject-fault", "cpu:crc32c@0:1/all-cores", "--max-iterations", "3");
        assertEquals(1, c.code(), c.toString());
        assertTrue(c.out().contains("\"verdict\":\"cpu-crc32c-miscompare\""), c.out());
        assertTrue(c.out().contains("\"name\":\"cpu0\""), "the diagnosis names the core");
    }
}
