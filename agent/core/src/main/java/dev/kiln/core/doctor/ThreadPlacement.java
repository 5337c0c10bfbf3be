package dev.kiln.core.doctor;

import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkPlan;
import dev.kiln.core.platform.PlatformProbe;
import dev.kiln.core.platform.ThreadPlacer;
import java.util.List;

/** Whether worker threads can be placed on a named core here: tried on a thread of its own, on the last CPU this process may use. */
final class ThreadPlacement implements Capability {
    private static final String ID = "thread-placement";

    @Override
    public List<Check> check(Doctor.Context ctx) {
        ThreadPlacer placer = PlatformProbe.current().threadPlacer();
        List<SuiteEnvironment.LogicalCpu> cpus = PlatformProbe.current().cpus();
        if (placer.method().equals("none")) {
            return List.of(Check.missing(ID, "no way to place worker threads here: per-core checks cannot name a core", "run on Linux or macOS"));
        }
        SuiteEnvironment.LogicalCpu target = cpus.get(cpus.size() - 1);
        ThreadPlacer.Result[] r = new ThreadPlacer.Result[1];
        int[] observed = {-1};
        Thread t = Thread.ofPlatform().start(() -> {
            r[0] = placer.place(WorkPlan.Placement.on(target));
            observed[0] = placer.currentCpu();
        });
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> clusters = cpus.stream().map(SuiteEnvironment.LogicalCpu::cluster).distinct().toList();
        if (r[0] == null) {
            return List.of(Check.missing(ID, "placing a thread did not return", ""));
        }
        if (r[0].pinned() && observed[0] == target.id()) {
            return List.of(Check.ok(ID, placer.method() + ": pinned a thread to cpu " + target.id() + " and saw it run there (" + cpus.size()
                    + " CPUs, clusters " + clusters + ")"));
        }
        return List.of(new Check(ID, Check.Status.DEGRADED, placer.method() + ": " + r[0].description() + (ctx.mac() ? " (clusters " + clusters + ")" : ""),
                ctx.mac() ? "none: macOS cannot pin on Apple Silicon; Kiln steers by QoS (docs/on-hardware-checklist.md)"
                        : "allow sched_setaffinity (a container's cpuset?)", ctx.mac() ? false : null));
    }
}
