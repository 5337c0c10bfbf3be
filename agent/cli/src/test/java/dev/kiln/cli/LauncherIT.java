package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The checkout's launcher as launchd starts a daemon: an environment with no HOME, only PATH and
 * JAVA_HOME ({@code env -i}). It must find the JDK it is given and run, not stop on an unset variable.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LauncherIT {
    @Test
    void runsWithoutHome() throws Exception {
        Path root = Path.of("../..").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=" + System.getProperty("java.home"),
                "bash", root.resolve("kiln").toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("kiln ") && out.contains("Java 25"), out);
    }

    /**
     * On a person's terminal the JVM's incubator warning is not shown; to a pipe stderr keeps it. On
     * the terminal (a pty from {@code script}) Ctrl-C still reaches the run, and what it says on stderr
     * (the filter outlives the signal) and the verdict are shown, with the run's own exit code.
     */
    @Test
    void noJvmWarningOnATerminalEverythingOnAPipeAndCtrlCStillSaysWhatItDoes() throws Exception {
        Path root = Path.of("../..").toAbsolutePath().normalize();
        Process piped = new ProcessBuilder("bash", root.resolve("kiln").toString(), "--version").redirectErrorStream(true).start();
        String out = new String(piped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(piped.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("WARNING: Using incubator modules"), "a pipe keeps everything: " + out);
        boolean haveScript;
        try {
            haveScript = new ProcessBuilder("script", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            haveScript = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(haveScript, "util-linux script (a pty) is not installed");
        Path state = java.nio.file.Files.createTempDirectory("kiln-tty");
        // script runs its command through $SHELL -c (sh when SHELL is unset, as under CI): dash dies of the
        // terminal's SIGINT while it waits, and script would report 130 for it, not the run's own code. A
        // person's interactive shell ignores SIGINT while it waits; "exec" puts the launcher in that shell's
        // place, so the code measured is the run's, as the person sees it. SHELL=/bin/sh keeps the hard case.
        ProcessBuilder ttyBuilder = new ProcessBuilder("script", "-qec", "exec bash " + root.resolve("kiln") + " run --state-dir "
                + state + " --suites cpu --duration 60s --no-upload", "/dev/null").redirectErrorStream(true);
        ttyBuilder.environment().put("SHELL", "/bin/sh");
        Process tty = ttyBuilder.start();
        StringBuffer seen = new StringBuffer();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (java.io.InputStream in = tty.getInputStream()) {
                byte[] b = new byte[4096];
                for (int n; (n = in.read(b)) > 0; ) {
                    seen.append(new String(b, 0, n, StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException e) {
                // the pty closed
            }
        });
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!seen.toString().contains("cpu") && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        Thread.sleep(1500); // the run is under way
        tty.getOutputStream().write(3); // Ctrl-C, through the terminal's line discipline: SIGINT to the foreground group
        tty.getOutputStream().flush();
        assertTrue(tty.waitFor(90, TimeUnit.SECONDS), seen.toString());
        reader.join(5000);
        String screen = seen.toString();
        assertEquals(2, tty.exitValue(), screen);
        assertTrue(screen.contains("SIGINT: cancelling the run"), "stderr reaches the terminal after Ctrl-C: " + screen);
        assertTrue(screen.contains("Verdict") && screen.contains("exit 2"), screen);
        assertTrue(!screen.contains("WARNING: Using incubator modules"), "no JVM warning on a person's screen: " + screen);
        try (var s = java.nio.file.Files.walk(state)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    /**
     * The launchers choose the agent's collector; an operator who chooses another in KILN_JAVA_OPTS
     * gets theirs (two would make the JVM refuse to start, with exit 1: "defect found").
     */
    @Test
    void aCollectorChosenInKilnJavaOptsIsTheOneUsed() throws Exception {
        Path root = Path.of("../..").toAbsolutePath().normalize();
        for (String[] c : new String[][] {{"", "Using Serial"}, {"-XX:+UseG1GC", "Using G1"}, {"-XX:+UseParallelGC", "Using Parallel"}}) {
            Process p = new ProcessBuilder("env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=" + System.getProperty("java.home"),
                    "KILN_JAVA_OPTS=" + c[0] + " -Xlog:gc:stderr", "bash", root.resolve("kiln").toString(), "--version")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), c[0] + ": " + out);
            assertTrue(out.contains(c[1]), c[0] + ": " + out);
        }
    }
}
