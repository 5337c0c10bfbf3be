package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Native writes to fd 2 (what Core ML's NSLog does) are captured, and fd 2 is whole again afterwards. */
class NativeStderrTest {
    private static void nativeWrite(String s) throws Throwable {
        Linker l = Linker.nativeLinker();
        MethodHandle write = l.downcallHandle(l.defaultLookup().find("write").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocateFrom(s);
            long n = (long) write.invokeExact(2, m, (long) s.length());
            assertEquals(s.length(), n);
        }
    }

    @Test
    void whatNativeCodeWritesIsCapturedAndTheValueReturned() throws Exception {
        NativeStderr.Captured<Integer> c = NativeStderr.capture(() -> {
            try {
                nativeWrite("Operation: ios18.conv, Device Usage: <MLNeuralEngineComputeDevice: 0x1>, Estimated Cost: 0.5\n");
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            return 42;
        }, Duration.ofSeconds(2), t -> t.contains("Estimated Cost"));
        assertEquals(42, c.value());
        assertEquals(1, Evidence.parsePlan(c.text()).operations(), c.text());
    }

    @Test
    void lateLinesAreWaitedForAndAFailureStillRestoresStderr() throws Exception {
        NativeStderr.Captured<String> c = NativeStderr.capture(() -> {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300); // Core ML logs the compute plan from another thread, after the load returns
                    nativeWrite("late line\n");
                } catch (Throwable e) {
                    throw new AssertionError(e);
                }
            });
            t.start();
            return "loaded";
        }, Duration.ofSeconds(5), t -> t.contains("late line"));
        assertTrue(c.text().contains("late line"), c.text());
        assertThrows(IllegalStateException.class, () -> NativeStderr.capture(() -> {
            throw new IllegalStateException("Core ML refused the model");
        }, Duration.ofSeconds(1), t -> true));
        NativeStderr.Captured<Void> after = NativeStderr.capture(() -> {
            try {
                nativeWrite("again\n");
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            return null;
        }, Duration.ofSeconds(1), t -> t.contains("again"));
        assertTrue(after.text().contains("again"), "a capture after a failed one works: fd 2 was restored");
    }
}
