package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the launchers preload the JDK's libjsig (packaging/signal-chaining.sh): PoCL compiles kernels
 * with LLVM, whose crash-recovery handler takes over SIGSEGV while it compiles; a Java thread's
 * ordinary trap at that moment then breaks the compile or kills the process with no report (found
 * in a together stage, the GPU suite compiling while the other suites ran). Without signal chaining
 * the reproducer fails; with it, it builds for the whole time. If a later PoCL or LLVM stops
 * stealing the signal, the first half of this test says so and can go.
 */
@EnabledOnOs(OS.LINUX)
class SignalChainingTest {
    @TempDir
    Path dir;

    private record Ran(int code, String out) {
    }

    private Ran run(boolean chained) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), CompileUnderTraps.class.getName(), "6"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("POCL_CACHE_DIR", Files.createDirectories(dir.resolve(chained ? "c1" : "c0")).toString());
        pb.environment().put("POCL_KERNEL_CACHE", "0");
        pb.environment().remove("LD_PRELOAD");
        if (chained) {
            pb.environment().put("LD_PRELOAD", java.getParent().getParent().resolve("lib/libjsig.so").toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Ran(p.exitValue(), out);
    }

    @Test
    @Timeout(150)
    void kernelsBuildWhileJavaThreadsTrapOnlyWithSignalChaining() throws Exception {
        boolean openCl;
        try {
            openCl = !OpenCl.devices().isEmpty() && OpenCl.devices().get(0).platformName().contains("Portable Computing Language");
        } catch (OpenCl.Unavailable e) {
            openCl = false;
        }
        assumeTrue(openCl, "PoCL (LLVM in process) is what steals the signal; not here");
        Path jsig = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent().resolve("lib/libjsig.so");
        assumeTrue(Files.exists(jsig), "no libjsig in this JDK");
        Ran bare = run(false);
        assertNotEquals(0, bare.code(), "without signal chaining the compile breaks or the JVM dies (the hazard):\n" + bare.out());
        Ran chained = run(true);
        assertEquals(0, chained.code(), chained.out());
        assertTrue(chained.out().contains("survived "), chained.out());
    }
}
