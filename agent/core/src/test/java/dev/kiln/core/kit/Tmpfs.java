package dev.kiln.core.kit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real small file system for full-disk tests: tmpfs, where this machine lets the tests mount one (root on Linux). */
public final class Tmpfs {
    private Tmpfs() {
    }

    /** Whether a tmpfs can be mounted here (for {@code @EnabledIf}). */
    public static boolean canMount() {
        try {
            Path probe = Files.createTempDirectory("kiln-mount-probe");
            boolean ok = sh("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe.toString()) == 0;
            if (ok) {
                sh("umount", probe.toString());
            }
            Files.deleteIfExists(probe);
            return ok;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Mounts a tmpfs of {@code size} (mount(8) syntax: 64k, 24m) on {@code dir}; true when it worked. */
    public static boolean mount(Path dir, String size) throws IOException, InterruptedException {
        return sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()) == 0;
    }

    public static void unmount(Path dir) throws IOException, InterruptedException {
        sh("umount", dir.toString());
    }

    private static int sh(String... cmd) throws IOException, InterruptedException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
