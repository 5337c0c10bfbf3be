package dev.kiln.suites.cpu;

import dev.kiln.api.SuiteEnvironment.LogicalCpu;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The suite's cross-core state, made in prepare: the pairing of the all-cores phase's workers, a
 * {@link Link} per pair, memory for them off the heap, and what the cross-core kernels counted
 * (messages that crossed, litmus trials, batches a partner missed) for the result.
 */
final class CrossCore implements AutoCloseable {
    final Pairing pairing;
    private final List<LogicalCpu> cpus;
    private final Arena arena = Arena.ofShared();
    private final Map<Long, Link> peers = new ConcurrentHashMap<>();
    final List<Link> links = Collections.synchronizedList(new ArrayList<>());
    private final long salt;
    /** Messages that crossed, by phase. */
    final Map<String, AtomicLong> messages = new ConcurrentHashMap<>();
    /** Litmus trials judged, by test; batches a partner did not come to. */
    final AtomicLong[] trials = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    final AtomicLong missedBatches = new AtomicLong();

    CrossCore(List<LogicalCpu> cpus, long salt) {
        this(cpus, salt, "auto");
    }

    /** @param placement {@code cross-core-pairs}: auto, or the relation every pair must have ({@link Pairing#PLACEMENTS}) */
    CrossCore(List<LogicalCpu> cpus, long salt, String placement) {
        this.cpus = List.copyOf(cpus);
        this.pairing = new Pairing(cpus, placement);
        this.salt = salt;
    }

    /**
     * Where a worker of {@code phase} stands: with its peer (the all-cores phase, when it has one and
     * runs on the CPU the pairing gave it, or is not pinned) or with a helper thread of its own.
     */
    CorePlace place(String phase, int worker, int cpu) {
        int p = phase.equals("all-cores") ? pairing.peer(worker) : Pairing.HELPER;
        Litmus litmus;
        synchronized (arena) {
            litmus = new Litmus(arena);
        }
        // on the CPU the pairing gave it, or not pinned at all (macOS: the pairs are then the OS's to place)
        if (p != Pairing.HELPER && (cpu < 0 || pairing.cpu(worker) == cpu)) {
            int lo = Math.min(worker, p);
            int hi = Math.max(worker, p);
            Link l = peers.computeIfAbsent((long) lo << 32 | hi, k -> {
                Link made;
                synchronized (arena) {
                    made = new Link(arena, salt ^ k, Pairing.between(cpus.get(lo), cpus.get(hi)));
                }
                if (cpu >= 0) { // pinned: the partner's CPU is the pairing's, said before the partner starts (a fault that
                    int other = worker == lo ? hi : lo; // fires first still names both cores); published with the link
                    made.at(worker == lo ? 1 : 0, pairing.cpu(other), "cpu " + pairing.cpu(other));
                }
                links.add(made);
                return made;
            });
            return new CorePlace(phase, cpu, l, worker == lo ? 0 : 1, true, litmus);
        }
        Link l;
        synchronized (arena) {
            l = new Link(arena, salt ^ (((long) worker << 40) | phase.hashCode()), "a helper thread, not pinned");
        }
        links.add(l);
        return new CorePlace(phase, cpu, l, 0, false, litmus);
    }

    /** Every link's shared counter against what its two sides added: what does not add up, said. */
    List<String> sharedMismatches() {
        List<String> out = new ArrayList<>();
        synchronized (links) {
            for (Link l : links) {
                String m = l.sharedMismatch();
                if (m != null) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
