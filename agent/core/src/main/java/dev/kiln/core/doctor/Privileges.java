package dev.kiln.core.doctor;

import java.util.List;

/** Root: powermetrics on a Mac, large mlock and some sensors on Linux need it. */
final class Privileges implements Capability {
    @Override
    public List<Check> check(Doctor.Context ctx) {
        return List.of(ctx.root() ? Check.ok("privileges", "running as root")
                : Check.degraded("privileges", "not root: " + (ctx.mac() ? "powermetrics (clusters, power, thermal pressure) needs root"
                : "large mlock and some sensors need root"), "run as root, as the burn-in service does"));
    }
}
