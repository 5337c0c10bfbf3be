package dev.kiln.core.doctor;

import dev.kiln.core.platform.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** macOS's powermetrics: clusters, power and thermal pressure as root (nothing to check elsewhere). */
final class Powermetrics implements Capability {
    @Override
    public List<Check> check(Doctor.Context ctx) {
        if (!ctx.mac()) {
            return List.of();
        }
        boolean pm = Files.isExecutable(Path.of(ChildProcess.POWERMETRICS));
        return List.of(new Check("powermetrics", pm && ctx.root() ? Check.Status.OK : Check.Status.MISSING, pm ? (ctx.root()
                ? "/usr/bin/powermetrics, as root" : "/usr/bin/powermetrics needs root") : "/usr/bin/powermetrics not found",
                pm ? "run as root" : "install macOS's powermetrics", false));
    }
}
