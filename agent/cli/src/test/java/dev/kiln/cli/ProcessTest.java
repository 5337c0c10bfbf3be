package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.kit.OcpStreamValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The CLI as a separate process: real exit codes, real signals, abandoned threads. */
class ProcessTest {
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path state;

    private static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.kiln.cli.Main"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--state-dir", state.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads stdout on a thread, so the child never blocks on a full pipe. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try {
                for (int n; (n = in.read(b)) > 0; ) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the child went away
            }
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    @Timeout(60)
    void hungSuiteDoesNotKeepTheProcessAlive() throws Exception {
        Process p = start("run", "--profile", Cli.profile("selftest-all"), "--suites", "selftest-hang,selftest-pass",
                "--hang-timeout", "1s");
        Drain out = new Drain(p.getInputStream());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exited despite a thread that never returns");
        out.join(2000);
        assertEquals(1, p.exitValue(), out.text());
        assertTrue(out.text().contains("HUNG"), out.text());
    }

    @Test
    @Timeout(60)
    @DisabledOnOs(OS.WINDOWS)
    void terminatedRunStillEndsItsEventStream() throws Exception {
        Process p = start("run", "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass,selftest-pass-again",
                "--duration", "120s", "--output", "jsonl");
        Drain out = new Drain(p.getInputStream());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!out.text().contains("testStepStart") && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        // SIGTERM, as systemd or a rack controller sends it. Through the handle: Process.destroy()
        // would also close our end of the pipe and lose what the child writes while it winds down.
        p.toHandle().destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        out.join(2000);
        String s = out.text();
        assertEquals(List.of(), OcpStreamValidator.validate(s), s);
        assertEquals(Map.of("selftest-pass", "INTERRUPTED", "selftest-pass-again", "INTERRUPTED"), OcpStreamValidator.outcomes(s));
        assertTrue(s.contains("\"testRunEnd\":{\"status\":\"ERROR\",\"result\":\"NOT_APPLICABLE\"}"), s);
        assertEquals(2, p.exitValue(), "cancelled, sealed, incomplete: not 128 + SIGTERM");
    }
}
