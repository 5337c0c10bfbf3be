package dev.kiln.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReplaces() throws IOException {
        Path target = dir.resolve("out/a.bin");
        Files.createDirectories(target.getParent());
        AtomicFiles.write(target, new byte[] {1, 2}, dir.resolve("tmp"));
        AtomicFiles.write(target, new byte[] {3}, dir.resolve("tmp"));
        assertArrayEquals(new byte[] {3}, Files.readAllBytes(target));
        try (var s = Files.list(dir.resolve("tmp"))) {
            assertTrue(s.findAny().isEmpty(), "nothing left in staging");
        }
    }

    static boolean devFullExists() {
        return Files.exists(Path.of("/dev/full"));
    }

    /** A full disk (Linux's /dev/full answers every write with ENOSPC): the target is never touched. */
    @Test
    @EnabledIf("devFullExists")
    void aFullDiskLeavesNothingHalfWritten() throws IOException {
        Path target = dir.resolve("pending/b.bin");
        Files.createDirectories(target.getParent());
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        Files.createSymbolicLink(tmp.resolve("b.bin.tmp"), Path.of("/dev/full"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[1 << 16], tmp));
        assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(tmp.resolve("b.bin.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
