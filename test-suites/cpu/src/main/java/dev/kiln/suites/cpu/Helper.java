package dev.kiln.suites.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The partner of a worker that has no other worker beside it (every worker of the one-at-a-time
 * phase, the odd one out, a machine of one CPU) and, in every phase, the other side of its litmus
 * tests: a thread of its own, not pinned (the OS puts it on another core while the worker's is busy),
 * that works only while one of the worker's cross-core kernels runs and parks between them, so the
 * one-at-a-time phase still runs one core at a time between those kernels. What it finds wrong is
 * handed to the worker, which reports it.
 */
final class Helper implements AutoCloseable {
    static final String NAME = "a helper thread (not pinned)";

    enum Task { MESSAGES, COUNTERS, LITMUS }

    private final Link link;
    private final Litmus litmus;
    private final Thread thread;
    private final AtomicLong begun = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();
    private final ConcurrentLinkedQueue<CrossCoreFailure> failures = new ConcurrentLinkedQueue<>();
    private volatile Task task;
    private volatile long gen;
    private volatile long salt;
    private volatile boolean stop;
    private volatile boolean closed;

    Helper(Link link, Litmus litmus, String worker) {
        this.link = link;
        this.litmus = litmus;
        this.thread = Thread.ofPlatform().daemon().name("kiln-cpu-helper-" + worker).start(this::serve);
    }

    /** Starts {@code t} on the helper ({@code g}: the litmus batch, or the counters' salt). */
    void begin(Task t, long g) {
        task = t;
        gen = g;
        salt = g;
        stop = false;
        begun.incrementAndGet();
        LockSupport.unpark(thread);
    }

    /**
     * Tells the helper to stop and waits for it (a litmus batch stops by itself); the first thing it
     * found wrong, or null.
     *
     * @throws CrossCoreFailure when the helper did not stop in time (it is then left; the run goes on)
     */
    CrossCoreFailure end() throws CrossCoreFailure {
        stop = true;
        long want = begun.get();
        long deadline = System.nanoTime() + 5 * Litmus.DEADLINE_NANOS;
        while (ended.get() < want) {
            if (System.nanoTime() - deadline > 0) {
                throw new CrossCoreFailure("the helper thread did not finish its part within " + 5 * Litmus.DEADLINE_NANOS / 1_000_000_000L + " s",
                        java.util.Map.of("expected", "the helper's part done", "actual", "still running"));
            }
            Thread.onSpinWait();
        }
        return failures.poll();
    }

    private void serve() {
        long served = 0;
        while (!closed) {
            long want = begun.get();
            if (want == served) {
                LockSupport.parkNanos(this, 100_000_000L); // begin and close unpark it
                continue;
            }
            try {
                switch (task) {
                    case MESSAGES -> messages();
                    case COUNTERS -> counters();
                    case LITMUS -> litmus.sideB(gen);
                }
            } catch (RuntimeException | Error e) {
                failures.add(new CrossCoreFailure("the helper thread broke: " + e, java.util.Map.of("expected", "no error", "actual", e.toString())));
            }
            served = want;
            ended.set(want);
        }
    }

    private void messages() {
        link.at(1, -1, NAME);
        while (!stop) {
            take();
            link.mail[1].produce(16, false);
            Thread.onSpinWait();
        }
        take(); // what the worker sent before it said stop
    }

    private void take() {
        try {
            link.mail[0].consume();
        } catch (CrossCoreFailure f) {
            failures.add(f);
        }
    }

    private void counters() {
        link.at(1, -1, NAME);
        long s = salt;
        while (!stop) {
            try {
                link.count(1, 256, s++, false);
            } catch (CrossCoreFailure f) {
                failures.add(f);
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        stop = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
