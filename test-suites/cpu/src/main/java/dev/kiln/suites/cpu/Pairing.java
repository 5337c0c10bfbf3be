package dev.kiln.suites.cpu;

import dev.kiln.api.SuiteEnvironment.LogicalCpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which workers of the all-cores phase test the paths between their cores together: the CPUs sorted
 * by die, cluster and core, then the first half matched with the second, so that a pair spans the
 * dies where there are two, else the clusters, else two physical cores (an SMT sibling only where
 * nothing else is left). A worker without a peer (an odd count, one CPU, every worker of the
 * one-at-a-time phase) pairs with a helper thread of its own.
 */
final class Pairing {
    /** No peer: the worker's partner is its helper thread. */
    static final int HELPER = -1;

    private final List<LogicalCpu> cpus;
    private final int[] peer;

    /** @param cpus the all-cores phase's CPUs, in worker order */
    Pairing(List<LogicalCpu> cpus) {
        this.cpus = List.copyOf(cpus);
        int n = cpus.size();
        peer = new int[n];
        java.util.Arrays.fill(peer, HELPER);
        List<Integer> order = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            order.add(w);
        }
        order.sort(Comparator.<Integer>comparingInt(w -> cpus.get(w).die()).thenComparing(w -> cpus.get(w).cluster())
                .thenComparingInt(w -> cpus.get(w).core()).thenComparingInt(w -> cpus.get(w).id()));
        int half = n / 2;
        for (int i = 0; i < half; i++) {
            int a = order.get(i);
            int b = order.get(i + half);
            peer[a] = b;
            peer[b] = a;
        }
    }

    /** The worker's peer in the all-cores phase, or {@link #HELPER}. */
    int peer(int worker) {
        return worker >= 0 && worker < peer.length ? peer[worker] : HELPER;
    }

    /** The CPU of a worker of the all-cores phase, or -1. */
    int cpu(int worker) {
        return worker >= 0 && worker < cpus.size() ? cpus.get(worker).id() : -1;
    }

    /** What lies between two CPUs: {@code other die}, {@code other cluster}, {@code other core}, {@code same core} (SMT siblings) or {@code unknown}. */
    static String between(LogicalCpu a, LogicalCpu b) {
        if (a.die() >= 0 && b.die() >= 0 && a.die() != b.die()) {
            return "other die";
        }
        if (!a.cluster().equals(b.cluster())) {
            return "other cluster";
        }
        if (a.core() >= 0 && b.core() >= 0) {
            return a.core() != b.core() ? "other core" : "same core";
        }
        return "unknown";
    }

    /** Every pair, said: {@code cpu 0 <-> cpu 12 (other die)}; a worker with its helper: {@code cpu 5 <-> helper thread}. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int w = 0; w < peer.length; w++) {
            int p = peer[w];
            if (p == HELPER) {
                out.add("cpu " + cpus.get(w).id() + " <-> helper thread");
            } else if (w < p) {
                out.add("cpu " + cpus.get(w).id() + " <-> cpu " + cpus.get(p).id() + " (" + between(cpus.get(w), cpus.get(p)) + ")");
            }
        }
        return out;
    }
}
