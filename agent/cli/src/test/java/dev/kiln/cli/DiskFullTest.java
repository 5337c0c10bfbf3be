package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk while sealing, for real: the outbox is a small tmpfs filled to the brim. The run
 * exits 73 with a clear message, keeps its journal, and the next start (with space again) seals it.
 * Needs permission to mount a tmpfs (root on Linux); skipped elsewhere.
 */
class DiskFullTest {
    @TempDir
    Path state;

    static boolean canMountTmpfs() {
        return dev.kiln.core.kit.Tmpfs.canMount();
    }

    static int sh(String... cmd) throws IOException, InterruptedException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    @Test
    @EnabledIf("canMountTmpfs")
    void fullDiskWhileSealingExits73AndTheRunIsSealedLater() throws Exception {
        Path outbox = Files.createDirectories(state.resolve("outbox"));
        assertEquals(0, sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", outbox.toString()));
        try {
            Files.createDirectories(outbox.resolve("pending"));
            Files.createDirectories(outbox.resolve("tmp"));
            Path filler = outbox.resolve("filler");
            try (OutputStream o = Files.newOutputStream(filler)) {
                byte[] block = new byte[4096];
                while (true) {
                    o.write(block);
                    o.flush();
                }
            } catch (IOException full) {
                // the outbox is now full
            }
            Cli refused = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass", "--duration", "300ms");
            assertEquals(73, refused.code(), refused.toString());
            assertTrue(refused.err().contains("less than the 256 MiB a run needs"), "checked before the run: " + refused.err());
            assertEquals("", refused.out(), "nothing ran");

            // With the free-space check turned off, the disk fills up at the worst moment: while sealing.
            Path config = Files.writeString(state.resolve("config.yaml"), "outbox:\n  minFreeMiB: 0\n");
            Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass", "--duration", "300ms");
            assertEquals(73, c.code(), c.toString());
            assertTrue(c.err().contains("cannot seal the bundle") && c.err().contains("will be sealed at the next start"), c.err());
            assertTrue(c.out().contains("Verdict  PASS"), "the verdict is still shown: " + c.out());
            assertEquals(73, Summary.parse(c.out()).exit(), "the summary prints the code the process returns: " + c.out());
            try (Stream<Path> runs = Files.list(state.resolve("runs"))) {
                assertEquals(1, runs.count(), "the run's journal is kept");
            }
            try (Stream<Path> p = Files.list(outbox.resolve("pending"))) {
                assertEquals(0, p.count(), "nothing half-written in pending/");
            }

            Files.delete(filler);
            Cli again = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass", "--duration", "300ms");
            assertEquals(0, again.code(), again.toString());
            assertTrue(again.err().contains("recovered run"), again.err());
            try (Stream<Path> p = Files.list(outbox.resolve("pending"))) {
                assertEquals(2, p.count(), "the earlier run and this one");
            }
        } finally {
            sh("umount", outbox.toString());
        }
    }
}
