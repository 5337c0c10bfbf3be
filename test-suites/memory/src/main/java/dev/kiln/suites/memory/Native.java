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
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    private static final MethodHandle MLOCK = handle("mlock", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MEMCPY = handle("memcpy",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    // used with Linux's flag values (MADV_HUGEPAGE, MAP_ANONYMOUS): not looked up elsewhere (macOS has no transparent huge pages)
    private static final MethodHandle MADVISE = linuxHandle("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MMAP = linuxHandle("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = linuxHandle("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    /** Linux's {@code MADV_HUGEPAGE}. */
    private static final int MADV_HUGEPAGE = 14;
    /** The size of a transparent huge page on x86-64 and most arm64 Linux kernels. */
    static final long HUGE_PAGE = 2L << 20;

    private Native() {
    }

    /** A C library function, or null where it cannot be found. */
    private static MethodHandle handle(String name, FunctionDescriptor d) {
        try {
            Linker l = Linker.nativeLinker();
            return l.defaultLookup().find(name).map(s -> l.downcallHandle(s, d)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static MethodHandle linuxHandle(String name, FunctionDescriptor d) {
        return LINUX ? handle(name, d) : null;
    }

    /** Memory for a test, and whether Linux was asked to back it with transparent huge pages. */
    record Memory(MemorySegment segment, boolean hugePages) {
    }

    /**
     * Memory for a test, untouched: on Linux mapped directly ({@code mmap}, anonymous and private),
     * aligned to {@code align} (2 MiB makes every 2 MiB of it a candidate for a huge page), and, if
     * {@code hugePages}, asked for transparent huge pages before anything touches it
     * ({@link java.lang.foreign.Arena#allocate} zeroes what it returns, mapping every page at 4 KiB
     * first, so asking afterwards came too late); unmapped when {@code arena} closes. Elsewhere, or
     * if the mapping is refused, {@code arena.allocate}.
     */
    static Memory allocate(java.lang.foreign.Arena arena, long bytes, long align, boolean hugePages) {
        if (MMAP != null && MUNMAP != null) {
            long len = bytes + align;
            MemorySegment m;
            try {
                m = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, len, 3 /* PROT_READ | PROT_WRITE */,
                        0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0L);
            } catch (Throwable t) {
                m = null;
            }
            if (m != null && m.address() != -1L && m.address() != 0) { // -1: MAP_FAILED
                long base = m.address();
                long start = (base + align - 1) & -align;
                MemorySegment seg = m.reinterpret(len, arena, s -> unmap(base, len)).asSlice(start - base, bytes);
                return new Memory(seg, hugePages && hugePages(seg));
            }
        }
        return new Memory(arena.allocate(bytes, align), false);
    }

    private static void unmap(long address, long len) {
        int r;
        try {
            r = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), len);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
        if (r != 0) {
            throw new IllegalStateException("munmap of " + len + " bytes at 0x" + Long.toHexString(address) + " failed");
        }
    }

    /**
     * Asks Linux to back the segment with transparent huge pages ({@code madvise(MADV_HUGEPAGE)}),
     * before it is first touched: where THP is "madvise" (Debian's default) memory is otherwise
     * mapped in 4 KiB pages, and a sweep then walks the page tables every 4 KiB. Only the 2 MiB
     * aligned pages wholly inside the segment are asked for. False where there is no such call, the
     * kernel refuses, or no such page fits.
     */
    private static boolean hugePages(MemorySegment seg) {
        if (MADVISE == null) {
            return false;
        }
        long start = seg.address();
        long from = (start + HUGE_PAGE - 1) & -HUGE_PAGE;
        long to = (start + seg.byteSize()) & -HUGE_PAGE;
        if (to <= from) {
            return false;
        }
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(from), to - from, MADV_HUGEPAGE) == 0;
        } catch (Throwable t) {
            return false;
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

    /** glibc's non-temporal threshold as GLIBC_TUNABLES sets it for this process, or -1 where it does not. */
    static long glibcThreshold(String tunables) {
        if (tunables == null) {
            return -1;
        }
        for (String t : tunables.split(":")) {
            int eq = t.indexOf('=');
            if (eq > 0 && t.substring(0, eq).trim().equals("glibc.cpu.x86_non_temporal_threshold")) {
                try {
                    return Long.decode(t.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** HotSpot's {@code MaxVectorSize} in this JVM (64: its x86-64 copy stub uses 512-bit vectors), or -1 where it cannot be read. */
    static final int MAX_VECTOR_SIZE = maxVectorSize();

    private static int maxVectorSize() {
        try {
            return Integer.parseInt(java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxVectorSize").getValue());
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * Whether {@link MemorySegment#copy} of {@code bytes} stores non-temporally in this JVM: HotSpot's
     * x86-64 copy stub does from 2.5 MiB when {@code MaxVectorSize} is 64
     * ({@code StubGenerator::arraycopy_avx3_large}); for the log.
     */
    static String segmentStores(long bytes) {
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!x86 || bytes < Mover.HOTSPOT_LARGE_COPY) {
            return "plain stores";
        }
        return MAX_VECTOR_SIZE == 64 ? "non-temporal stores: HotSpot's 64-byte copy stub, from 2.5 MiB"
                : MAX_VECTOR_SIZE > 0 ? "plain stores: HotSpot's MaxVectorSize is " + MAX_VECTOR_SIZE + ", not 64"
                : "non-temporal stores only if HotSpot's MaxVectorSize is 64 (not readable here)";
    }

    /** Whether the C library's {@code memcpy} of {@code bytes} stores non-temporally here, as far as is known: for the log. */
    static String nonTemporal(long bytes) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the C library's own choice of stores";
        }
        long t = glibcThreshold(System.getenv("GLIBC_TUNABLES"));
        if (t < 0) {
            return "glibc's default non-temporal threshold (3/4 of a share of the L3; GLIBC_TUNABLES does not set it): plain stores "
                    + "unless the L3 is small";
        }
        return bytes >= t ? "non-temporal stores: at or above glibc's threshold of " + t + " bytes"
                : "plain stores: below glibc's threshold of " + t + " bytes";
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
