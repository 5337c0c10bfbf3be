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

    static boolean canMountTmpfs() {
        return dev.kiln.core.kit.Tmpfs.canMount();
    }

    /** A full disk (a 64 KiB tmpfs for the staging directory): the target is never touched, nothing is left staged. */
    @Test
    @EnabledIf("canMountTmpfs")
    void aFullDiskLeavesNothingHalfWritten() throws Exception {
        Path target = dir.resolve("pending/b.bin");
        Files.createDirectories(target.getParent());
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        assertTrue(dev.kiln.core.kit.Tmpfs.mount(tmp, "64k"));
        try {
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[1 << 20], tmp));
            assertTrue(e.getMessage().contains("No space left"), e.getMessage());
            assertFalse(Files.exists(target));
            try (var s = Files.list(tmp)) {
                assertTrue(s.findAny().isEmpty(), "nothing left in staging");
            }
        } finally {
            dev.kiln.core.kit.Tmpfs.unmount(tmp);
        }
    }

    @Test
    void writeNewNeverReplacesAndStagingNamesAreThisProcesss() throws IOException {
        Path target = dir.resolve("pending/c.bin");
        Files.createDirectories(target.getParent());
        AtomicFiles.writeNew(target, new byte[] {1}, dir.resolve("tmp"), () -> { });
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> AtomicFiles.writeNew(target, new byte[] {2}, dir.resolve("tmp"), () -> { }));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(target), "the first stays");
        try (var s = Files.list(dir.resolve("tmp"))) {
            assertTrue(s.findAny().isEmpty(), "the refused one is not left staged");
        }
        Path mine = Files.createFile(dir.resolve("tmp/x.bin." + ProcessHandle.current().pid() + ".1.tmp"));
        Path deadOnes = Files.createFile(dir.resolve("tmp/x.bin.999999999.1.tmp"));
        Path old = Files.createFile(dir.resolve("tmp/x.bin.tmp"));
        assertFalse(AtomicFiles.stagedByDeadProcess(mine), "this live process's own");
        assertTrue(AtomicFiles.stagedByDeadProcess(deadOnes));
        assertTrue(AtomicFiles.stagedByDeadProcess(old), "an older agent's naming");
    }
}
