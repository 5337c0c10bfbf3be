package dev.kiln.core.platform;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a system tool and returns what it printed, or null. Both streams are drained on their own
 * threads while the process runs, so neither a large output nor a chatty stderr can block it and
 * the deadline always fires; past it the process is killed. Tools are named by absolute path, so a
 * daemon's bare PATH (or a planted {@code sysctl} earlier on it) cannot pick another program.
 */
public final class ChildProcess {
    /** The macOS tools the platform layer reads. */
    public static final String SYSCTL = "/usr/sbin/sysctl";
    public static final String SYSTEM_PROFILER = "/usr/sbin/system_profiler";
    public static final String IOREG = "/usr/sbin/ioreg";
    public static final String POWERMETRICS = "/usr/bin/powermetrics";

    private ChildProcess() {
    }

    /**
     * @return stdout, when the command exited 0 within {@code timeout}; else null (not found, failed,
     *         killed at the deadline)
     */
    public static String run(Duration timeout, List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException notThere) {
            return null;
        }
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return null;
            }
            out.join(5_000);
            err.join(5_000);
            return p.exitValue() == 0 ? out.text() : null;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Reads a stream to its end on a daemon thread. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in) {
            super("kiln-child-drain");
            this.in = in;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try (in) {
                for (int n; (n = in.read(b)) >= 0; ) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                }
            } catch (IOException closed) {
                // the process went away
            }
        }

        String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
