package dev.kiln.suites.ne;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Captures what native code writes to the process's standard error (file descriptor 2) while a call
 * runs: Core ML's compute plan reaches us no other way (ONNX Runtime's Java API has no log
 * callback). The descriptor is pointed at a temporary file with POSIX {@code dup}/{@code dup2}
 * (libc, through the FFM API) and put back afterwards; whatever was captured is written to the real
 * standard error again, so nothing another thread printed meanwhile is lost (only delayed). One
 * capture at a time in the process.
 */
final class NativeStderr {
    private static final Object LOCK = new Object();

    /** What the call returned and what was written to fd 2 meanwhile. */
    record Captured<T>(T value, String text) {
    }

    private NativeStderr() {
    }

    /**
     * Runs {@code body} with fd 2 captured, then keeps capturing until {@code until} accepts the text
     * or {@code linger} has passed (Core ML logs the compute plan asynchronously).
     */
    static <T> Captured<T> capture(Callable<T> body, Duration linger, Predicate<String> until) throws Exception {
        synchronized (LOCK) {
            Linker linker = Linker.nativeLinker();
            MethodHandle dup = linker.downcallHandle(linker.defaultLookup().find("dup").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle dup2 = linker.downcallHandle(linker.defaultLookup().find("dup2").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle open = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            Path file = Files.createTempFile("kiln-stderr", ".log");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment path = arena.allocateFrom(file.toString());
                int fd = (int) open.invokeExact(path, 1 /* O_WRONLY, the same on Linux and macOS */);
                if (fd < 0) {
                    throw new IOException("cannot open " + file + " to capture standard error");
                }
                System.err.flush();
                int saved = (int) dup.invokeExact(2);
                if (saved < 0 || (int) dup2.invokeExact(fd, 2) < 0) {
                    int ignored = (int) close.invokeExact(fd);
                    throw new IOException("cannot redirect standard error (dup/dup2 failed)");
                }
                T value;
                try {
                    value = body.call();
                    long until0 = System.nanoTime() + linger.toNanos();
                    while (System.nanoTime() < until0 && !until.test(new String(Files.readAllBytes(file), StandardCharsets.UTF_8))) {
                        Thread.sleep(50);
                    }
                } finally {
                    System.err.flush();
                    int restored = (int) dup2.invokeExact(saved, 2);
                    int c1 = (int) close.invokeExact(saved);
                    int c2 = (int) close.invokeExact(fd);
                    // what was captured goes to the real standard error too, on success and on failure
                    System.err.print(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
                    System.err.flush();
                }
                return new Captured<>(value, new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }
}
