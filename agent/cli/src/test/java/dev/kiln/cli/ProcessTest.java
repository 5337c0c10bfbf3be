package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.kit.OcpStreamValidator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a separate process: real exit codes, real signals, abandoned threads. */
class ProcessTest {
    @TempDir
    Path dir;

    private String state() {
        return dir.resolve("state").toString();
    }

    @Test
    @Timeout(60)
    void hungSuiteDoesNotKeepTheProcessAlive() throws Exception {
        Kiln k = Kiln.start(dir, "run", "--profile", Cli.profile("selftest-all"), "--suites", "selftest-hang,selftest-pass",
                "--hang-timeout", "1s", "--state-dir", state());
        k.waitFor(30); // exits despite a thread that never returns
        assertEquals(1, k.exit(), k.toString());
        assertTrue(k.out().contains("HUNG"), k.out());
    }

    @Test
    @Timeout(60)
    @DisabledOnOs(OS.WINDOWS)
    void terminatedRunStillEndsItsEventStream() throws Exception {
        Kiln k = Kiln.start(dir, "run", "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass,selftest-pass-again",
                "--duration", "120s", "--output", "jsonl", "--state-dir", state());
        k.awaitOut("testStepStart", 20);
        Thread.sleep(300);
        k.signal("TERM"); // as systemd or a rack controller sends it
        k.waitFor(20);
        String s = k.out();
        assertEquals(List.of(), OcpStreamValidator.validate(s), s);
        assertEquals(Map.of("selftest-pass", "INTERRUPTED", "selftest-pass-again", "INTERRUPTED"), OcpStreamValidator.outcomes(s));
        assertTrue(s.contains("\"testRunEnd\":{\"status\":\"ERROR\",\"result\":\"NOT_APPLICABLE\"}"), s);
        assertEquals(2, k.exit(), "cancelled, sealed, incomplete: not 128 + SIGTERM");
    }
}
