package dev.kiln.suites.cpu;

/**
 * Where one worker's cross-core kernels stand for one phase: its link, its side of it, whether the
 * other side is a worker beside it or its helper thread, its litmus arena, and its helper (started
 * when first needed, stopped with the worker). Used from the worker's thread only.
 */
final class CorePlace implements AutoCloseable {
    final String phase;
    final int cpu;
    final Link link;
    final int side;
    final boolean peer;
    final Litmus litmus;
    private Helper helper;
    long batches;

    CorePlace(String phase, int cpu, Link link, int side, boolean peer, Litmus litmus) {
        this.phase = phase;
        this.cpu = cpu;
        this.link = link;
        this.side = side;
        this.peer = peer;
        this.litmus = litmus;
        link.at(side, cpu, name());
    }

    /** This worker as failures name it. */
    String name() {
        return cpu < 0 ? "the worker (not pinned)" : "cpu " + cpu;
    }

    Helper helper() {
        if (helper == null) {
            helper = new Helper(link, litmus, phase + "-" + cpu);
        }
        return helper;
    }

    @Override
    public void close() {
        if (helper != null) {
            helper.close();
        }
    }
}
