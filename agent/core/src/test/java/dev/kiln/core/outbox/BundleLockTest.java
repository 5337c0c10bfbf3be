package dev.kiln.core.outbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.state.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleLockTest {
    @TempDir
    Path dir;

    @Test
    void oneHolderAtATimeAndTheLockFileOutlivesAPendingBundle() throws Exception {
        StateDir state = new StateDir(dir).create();
        Path bundle = Files.writeString(state.pending().resolve("SN_01930000-0000-7000-8000-000000000009.kiln.zip"), "b");
        Path file = dir.resolve("outbox/locks/" + bundle.getFileName() + ".lock");
        try (BundleLock held = BundleLock.tryAcquire(state, bundle)) {
            assertNotNull(held);
            assertNull(BundleLock.tryAcquire(state, bundle), "a second holder is refused");
        }
        // still pending: removing the file would let two holders lock two different files
        assertTrue(Files.exists(file), "kept while the bundle is pending");
        try (BundleLock again = BundleLock.tryAcquire(state, bundle)) {
            assertNotNull(again, "released with its holder");
            Files.delete(bundle); // delivered
        }
        assertFalse(Files.exists(file), "removed once the bundle has left pending/");
    }
}
