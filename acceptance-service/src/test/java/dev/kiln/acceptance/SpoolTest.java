package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload spool: what a dead process left is removed, a live replica's folder is left alone. */
class SpoolTest {
    @TempDir
    Path root;

    @Test
    void leftoversOfDeadProcessesAndOfThisPidAreRemovedALiveReplicasAreNot() throws Exception {
        long me = ProcessHandle.current().pid();
        long dead = 4_000_000_000L; // above any pid_max
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(Files.createDirectories(root.resolve(Long.toString(dead))).resolve("upload1.kiln.zip"), "half a bundle");
        Files.writeString(Files.createDirectories(root.resolve(Long.toString(me))).resolve("upload2.kiln.zip"), "left by a restarted container");
        Path theirs = Files.writeString(Files.createDirectories(root.resolve(Long.toString(live))).resolve("upload3.kiln.zip"), "being received");
        Files.createDirectories(root.resolve("not-a-pid"));
        Path mine = Spool.folderOf(root);
        assertEquals(root.resolve(Long.toString(me)), mine);
        try (var left = Files.list(mine)) {
            assertEquals(0, left.count(), "this process's folder emptied");
        }
        assertFalse(Files.exists(root.resolve(Long.toString(dead))), "a dead process's folder removed");
        assertTrue(Files.exists(theirs), "a running replica's upload kept");
        assertTrue(Files.isDirectory(root.resolve("not-a-pid")), "what is not a spool folder is not touched");
        // a second server of this process shares the folder and empties nothing
        Path during = Files.writeString(mine.resolve("upload4.kiln.zip"), "being received by the first server");
        assertEquals(mine, Spool.folderOf(root));
        assertTrue(Files.exists(during));
    }

    /** Downloads from a store without files (S3) go through the same per-process folders, so a dead process's half-sent copy is removed too. */
    @Test
    void downloadsHaveAFolderPerProcessAsUploadsDo() throws Exception {
        assertEquals(Spool.SCRATCH.resolve(Long.toString(ProcessHandle.current().pid())), Spool.scratch());
        assertTrue(Files.isDirectory(Spool.scratch()));
    }
}
