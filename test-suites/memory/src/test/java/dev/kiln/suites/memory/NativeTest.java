package dev.kiln.suites.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeTest {
    /** The test's memory is aligned as asked, zeroed, usable to its last byte, and gone with its arena. */
    @Test
    void mappedMemoryIsAlignedZeroedAndTiedToItsArena() {
        MemorySegment seg;
        try (Arena arena = Arena.ofShared()) {
            seg = Native.allocate(arena, 5L << 20, Native.HUGE_PAGE, false).segment();
            assertEquals(5L << 20, seg.byteSize());
            assertEquals(0, seg.address() % Native.HUGE_PAGE);
            for (long i = 0; i < seg.byteSize(); i += 4096) {
                assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, i));
            }
            seg.set(ValueLayout.JAVA_LONG, seg.byteSize() - 8, -1L);
            assertEquals(-1L, seg.get(ValueLayout.JAVA_LONG, seg.byteSize() - 8));
        }
        MemorySegment gone = seg;
        assertThrows(IllegalStateException.class, () -> gone.get(ValueLayout.JAVA_LONG, 0));
    }

    /**
     * Where Linux offers transparent huge pages on request, memory asked for before its first touch
     * gets them (what the suite does with its segments; the kernel may still refuse when memory is
     * fragmented, so this looks for at least one). Skipped elsewhere.
     */
    @Test
    void askedForMemoryIsBackedByHugePagesWhereLinuxOffersThem() throws Exception {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(thp) && !Files.readString(thp).contains("[never]"), "no transparent huge pages here");
        try (Arena arena = Arena.ofShared()) {
            Native.Memory m = Native.allocate(arena, 16L << 20, Native.HUGE_PAGE, true);
            MemorySegment seg = m.segment();
            assertTrue(m.hugePages(), "madvise(MADV_HUGEPAGE) accepted");
            assertEquals(0, smaps(seg, "Rss:"), "nothing touched the memory before it was asked for huge pages");
            seg.fill((byte) 1);
            assertTrue(smaps(seg, "AnonHugePages:") >= 2048, "at least one huge page behind 16 MiB asked for them: " + smaps(seg, "AnonHugePages:") + " kB");
        }
    }

    /** A figure in kB ({@code field}: "Rss:", "AnonHugePages:") of the mapping that holds {@code seg}, from /proc/self/smaps. */
    private static long smaps(MemorySegment seg, String field) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean in = false;
        long kb = 0;
        for (String l : lines) {
            if (l.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] r = l.split(" ")[0].split("-");
                long lo = Long.parseUnsignedLong(r[0], 16);
                long hi = Long.parseUnsignedLong(r[1], 16);
                in = seg.address() >= lo && seg.address() < hi;
            } else if (in && l.startsWith(field)) {
                kb += Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return kb;
    }
}
