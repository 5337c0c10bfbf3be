package dev.kiln.suites.memory;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code mlock} through the foreign function API, and physical addresses from {@code /proc/self/pagemap}. */
final class Native {
    private static final MethodHandle MLOCK = handle("mlock");
    private static final MethodHandle MEMCPY = memcpyHandle();

    private Native() {
    }

    private static MethodHandle handle(String name) {
        try {
            Linker l = Linker.nativeLinker();
            return l.defaultLookup().find(name).map(s -> l.downcallHandle(s,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static MethodHandle memcpyHandle() {
        try {
            Linker l = Linker.nativeLinker();
            return l.defaultLookup().find("memcpy").map(s -> l.downcallHandle(s,
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether the C library's {@code memcpy} is reachable. */
    static boolean hasMemcpy() {
        return MEMCPY != null;
    }

    /**
     * Copies {@code bytes} from {@code src} to {@code dst} with the C library's {@code memcpy} (on
     * x86-64 glibc with non-temporal stores above its threshold, which the launcher lowers), or with
     * {@link MemorySegment#copy} where there is none.
     */
    static void memcpy(MemorySegment dst, MemorySegment src, long bytes) {
        if (MEMCPY == null) {
            MemorySegment.copy(src, 0, dst, 0, bytes);
            return;
        }
        try {
            MemorySegment r = (MemorySegment) MEMCPY.invokeExact(dst, src, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("memcpy failed", t);
        }
    }

    /** Locks the segment's pages in RAM; false when the OS refuses (RLIMIT_MEMLOCK, no permission). */
    static boolean mlock(MemorySegment seg) {
        if (MLOCK == null) {
            return false;
        }
        try {
            return (int) MLOCK.invokeExact(seg, seg.byteSize()) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The physical address behind a virtual one, or -1 when the kernel does not tell (not Linux, or
     * not root: the page frame number reads as 0 then).
     */
    static long physical(long virtual) {
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            if (ch.read(b, (virtual / 4096) * 8) != 8) {
                return -1;
            }
            long entry = b.getLong(0);
            long pfn = entry & ((1L << 55) - 1);
            boolean present = (entry & (1L << 63)) != 0;
            return present && pfn != 0 ? pfn * 4096 + (virtual % 4096) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
