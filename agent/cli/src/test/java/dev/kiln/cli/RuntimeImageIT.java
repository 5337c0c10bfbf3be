package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.kit.OcpStreamValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/build-image.sh, as a release would run it: a jlink runtime, the jar and a launcher in a
 * tarball; the image then runs real suites with no JDK on PATH and no JAVA_HOME.
 */
class RuntimeImageIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent().getParent(); // agent/cli -> repository

    private record Result(int code, String out) {
    }

    private static Result exec(Path workDir, Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile("kiln-image", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    @Test
    void theImageRunsASuiteWithoutAJdk(@TempDir Path tmp) throws Exception {
        Path dist = tmp.resolve("dist");
        Result build = exec(REPO, null, "bash", "packaging/build-image.sh", dist.toString());
        assertEquals(0, build.code(), build.out());
        Path image;
        try (Stream<Path> s = Files.list(dist)) {
            image = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(Files.exists(dist.resolve(image.getFileName() + ".tar.gz")), "the tarball");
        assertTrue(Files.isExecutable(image.resolve("runtime/bin/java")) && Files.exists(image.resolve("lib/kiln.jar")));
        Map<String, String> bare = Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString()); // no JDK, no JAVA_HOME
        Result version = exec(tmp, bare, image.resolve("kiln").toString(), "--version");
        assertEquals(0, version.code(), version.out());
        assertTrue(version.out().lines().anyMatch(l -> l.startsWith("kiln ")), version.out());
        // only this platform's ONNX Runtime library is in the image's jar, and the Neural Engine suite's pipeline loads it
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(image.resolve("lib/kiln.jar").toFile())) {
            List<String> natives = jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("ai/onnxruntime/native/") && !n.endsWith("/")).toList();
            assertTrue(natives.stream().noneMatch(n -> n.contains(".dSYM/")), natives.toString());
            assertEquals(1, natives.stream().map(n -> n.split("/")[3]).distinct().count(), "one platform: " + natives);
        }
        // this platform's native libraries sit in the image (a signed image signs them) and are loaded from there:
        // nothing is extracted into the temporary directory or JNA's cache during a run
        List<String> natives;
        try (Stream<Path> s = Files.list(image.resolve("lib/native"))) {
            natives = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertEquals(List.of("libJOCL_2_0_5-linux-x86_64.so", "libjnidispatch.so", "libonnxruntime.so", "libonnxruntime4j_jni.so"), natives);
        }
        Path runTmp = Files.createDirectories(tmp.resolve("run-tmp"));
        Map<String, String> env = new java.util.HashMap<>(bare);
        env.put("KILN_JAVA_OPTS", "-Djava.io.tmpdir=" + runTmp);
        Result run = exec(tmp, env, image.resolve("kiln").toString(), "run", "--suites", "cpu,memory,neural-engine,gpu", "--duration", "10s", "-P",
                "memory.size=64MiB", "-P", "memory.copy=memcpy-256k", "-P", "neural-engine.provider=cpu", "-P", "neural-engine.channels=8", "-P", "neural-engine.spatial=8",
                "-P", "gpu.device-type=all", "-P", "gpu.fma-items=256", "-P", "gpu.fma-iterations=256", "-P", "gpu.memory-size=8MiB",
                "-P", "gpu.transfer-size=1MiB", "--output", "jsonl", "--state-dir", tmp.resolve("state").toString(), "--no-upload");
        try (Stream<Path> s = Files.walk(runTmp)) {
            assertEquals(List.of(), s.filter(p -> !p.equals(runTmp)).map(Path::toString).toList(), "nothing extracted at run time");
        }
        assertTrue(!Files.exists(tmp.resolve(".cache/JNA")), "JNA unpacked nothing into its cache");
        String events = run.out().lines().filter(l -> l.startsWith("{")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(List.of(), OcpStreamValidator.validate(events), run.out());
        Map<String, String> outcomes = new java.util.HashMap<>(OcpStreamValidator.outcomes(events));
        String gpu = outcomes.remove("gpu"); // PASS on an OpenCL device; SKIPPED where there is no OpenCL at all
        assertEquals(Map.of("cpu", "PASS", "memory", "PASS", "neural-engine", "PASS"), outcomes, run.out());
        assertTrue("PASS".equals(gpu) || "SKIPPED".equals(gpu), gpu + ": " + run.out());
        assertEquals(0, run.code(), run.out());
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            // the memcpy strategy asked for says which stores glibc uses for its blocks: non-temporal, from the launcher's threshold
            assertTrue(events.contains("memcpy in 256 KiB blocks (non-temporal stores: at or above glibc's threshold of 131072 bytes)"),
                    "the image's launcher sets the glibc tunable: " + run.out());
        }
    }
}
