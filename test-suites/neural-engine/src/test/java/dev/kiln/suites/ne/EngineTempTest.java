package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime left an empty {@code onnxruntime-java*} directory in the temporary directory at
 * every load (its deletes run at exit, the directory's first): a process that loads it and exits
 * normally now leaves nothing there.
 */
class EngineTempTest {
    /** What the child process runs: load ONNX Runtime, as the suite does, and exit normally. */
    public static void main(String[] args) throws Exception {
        Engine.environment();
        System.out.println("loaded " + Engine.providers());
    }

    @Test
    @Timeout(120)
    void loadingOnnxRuntimeLeavesNothingInTheTemporaryDirectory(@TempDir Path tmp) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), EngineTempTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("loaded ["), "ONNX Runtime loaded in the child: " + out);
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> ort = left.filter(x -> x.getFileName().toString().startsWith("onnxruntime-java")).toList();
            assertEquals(List.of(), ort, "what ONNX Runtime left in " + tmp);
        }
    }
}
