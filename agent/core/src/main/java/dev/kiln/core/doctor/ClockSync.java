package dev.kiln.core.doctor;

import dev.kiln.core.platform.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Clock sync: bundles and receipts carry times that a factory compares across stations. */
final class ClockSync implements Capability {
    private static final String ID = "clock-sync";

    @Override
    public List<Check> check(Doctor.Context ctx) {
        if (ctx.mac()) {
            return List.of(new Check(ID, Check.Status.DEGRADED, "not checked on macOS yet", "sudo sntp -sS time.apple.com, or the factory's NTP", false));
        }
        Path timedatectl = Path.of("/usr/bin/timedatectl");
        if (!Files.isExecutable(timedatectl)) {
            return List.of(Files.exists(Path.of("/run/systemd/timesync/synchronized")) ? Check.ok(ID, "systemd-timesyncd says synchronized")
                    : Check.degraded(ID, "cannot tell whether the clock is synchronized (no timedatectl)", "run an NTP client (chrony, systemd-timesyncd)"));
        }
        String v = ChildProcess.run(Duration.ofSeconds(5), List.of(timedatectl.toString(), "show", "-p", "NTPSynchronized", "--value"));
        if (v == null) {
            return List.of(Check.degraded(ID, "timedatectl did not answer (no systemd here?)", "run an NTP client"));
        }
        return List.of(v.strip().equals("yes") ? Check.ok(ID, "NTP synchronized (timedatectl)")
                : Check.degraded(ID, "the clock is not NTP-synchronized (timedatectl: " + v.strip() + ")", "enable NTP: timedatectl set-ntp true"));
    }
}
