package dev.kiln.core.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Free space where the state lives, against what the configuration says a run needs. */
final class Disk implements Capability {
    @Override
    public List<Check> check(Doctor.Context ctx) {
        if (ctx.config() == null) {
            return List.of(Check.missing("disk", "the configuration does not load: " + ctx.configProblem(), "kiln config check"));
        }
        long min = ctx.config().minFreeBytes();
        Path root = ctx.state().root();
        Path p = root;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            long free = Files.getFileStore(p).getUsableSpace();
            String s = String.format(Locale.ROOT, "%.1f GiB free at %s (runs need %d MiB)", free / (double) (1L << 30), root, min >> 20);
            return List.of(free >= min ? Check.ok("disk", s) : Check.missing("disk", s, "free space, or lower outbox.minFreeMiB"));
        } catch (IOException | RuntimeException e) {
            return List.of(Check.missing("disk", "cannot read free space at " + root + ": " + e.getMessage(), "check --state-dir"));
        }
    }
}
