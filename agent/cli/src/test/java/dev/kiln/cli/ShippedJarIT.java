package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.kit.OcpStreamValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar we ship, as a user runs it: only real suites in it, and a real run that passes. */
class ShippedJarIT {
    private static final Path JAR = Path.of(System.getProperty("kiln.jar", "target/kiln.jar"));

    private record Result(int code, String out) {
    }

    private static Result kiln(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("kiln-it", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    @Test
    void selfTestSuitesAreNotShipped() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertFalse(jar.stream().anyMatch(e -> e.getName().contains("suites/selftest")), "no self-test classes");
            String services = new String(jar.getInputStream(jar.getEntry("META-INF/services/dev.kiln.api.Suite")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertFalse(services.contains("selftest"), services);
            assertTrue(services.contains("dev.kiln.suites.cpu.CpuSuite") && services.contains("dev.kiln.suites.memory.MemorySuite")
                    && services.contains("dev.kiln.suites.gpu.GpuSuite"), services);
            assertEquals("dev.kiln.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }

    @Test
    void suitesListsOnlyRealSuites() throws Exception {
        Result r = kiln("suites");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("cpu") && !r.out().contains("selftest"), r.out());
    }

    @Test
    void smokeRunOnThisMachinePassesWithAValidEventStream(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path state = dir.resolve("state"); // JUnit removes it afterwards (a directory of its own in /tmp was left behind at every CI run)
        Result r = kiln("run", "--profile", "smoke", "--duration", "10s", "--output", "jsonl", "--state-dir", state.toString());
        assertEquals(List.of(), OcpStreamValidator.validate(r.out()), r.out());
        Map<String, String> outcomes = OcpStreamValidator.outcomes(r.out());
        assertEquals("PASS", outcomes.get("cpu"), r.out());
        assertEquals("PASS", outcomes.get("memory"), r.out());
        // optional in smoke: PASS where there is a GPU, SKIPPED (never a silent pass) where there is none, as in CI
        assertTrue(List.of("PASS", "SKIPPED").contains(outcomes.get("gpu")), r.out());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("sched_setaffinity") || !System.getProperty("os.name").contains("Linux"), "pinning recorded");
    }
}
