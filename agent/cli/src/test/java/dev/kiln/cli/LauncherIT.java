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
