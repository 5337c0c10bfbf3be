package dev.kiln.core.platform;

import dev.kiln.api.WorkPlan.Placement;

/** Where the OS offers no way to place threads: says so, and does nothing. */
final class NoThreadPlacer implements ThreadPlacer {
    private final String why;

    NoThreadPlacer(String why) {
        this.why = why;
    }

    @Override
    public Result place(Placement placement) {
        return new Result(false, placement.cpu() < 0 ? "unpinned" : "not pinned (" + why + ")");
    }

    @Override
    public int currentCpu() {
        return -1;
    }

    @Override
    public String method() {
        return "none";
    }
}
