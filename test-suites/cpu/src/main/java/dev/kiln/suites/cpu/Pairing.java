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

    /** What {@code cross-core-pairs} may ask for: {@code auto}, or one relation every pair must have. */
    static final List<String> PLACEMENTS = List.of("auto", "other-die", "other-cluster", "other-core", "same-core");

    /** @param cpus the all-cores phase's CPUs, in worker order */
    Pairing(List<LogicalCpu> cpus) {
        this(cpus, "auto");
    }

    /**
     * @param cpus  the all-cores phase's CPUs, in worker order
     * @param want  {@code auto} (the farthest pairs the topology has, as above), or a relation of
     *              {@link #PLACEMENTS} that every pair must have: each CPU, in topology order, is
     *              paired with the farthest (for {@code same-core}, the nearest) CPU left with that
     *              relation to it; a CPU left without one works with its helper thread
     */
    Pairing(List<LogicalCpu> cpus, String want) {
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
        if (want.equals("auto")) {
            int half = n / 2;
            for (int i = 0; i < half; i++) {
                int a = order.get(i);
                int b = order.get(i + half);
                peer[a] = b;
                peer[b] = a;
            }
            return;
        }
        String relation = want.replace('-', ' ');
        boolean nearest = want.equals("same-core");
        for (int i = 0; i < n; i++) {
            int a = order.get(i);
            if (peer[a] != HELPER) {
                continue;
            }
            for (int k = 0; k < n - i - 1; k++) {
                int j = nearest ? i + 1 + k : n - 1 - k;
                int b = order.get(j);
                if (peer[b] == HELPER && between(cpus.get(a), cpus.get(b)).equals(relation)) {
                    peer[a] = b;
                    peer[b] = a;
                    break;
                }
            }
        }
    }

    /** How many pairs there are (workers with a peer, halved). */
    int pairs() {
        int p = 0;
        for (int x : peer) {
            p += x == HELPER ? 0 : 1;
        }
        return p / 2;
    }

    /** The topology in a few words, for an error: {@code 2 CPUs on 1 die, 1 cluster, 1 core}. */
    static String topology(List<LogicalCpu> cpus) {
        long dies = cpus.stream().map(LogicalCpu::die).distinct().count();
        long clusters = cpus.stream().map(c -> c.die() + "/" + c.cluster()).distinct().count();
        long cores = cpus.stream().filter(c -> c.core() >= 0).map(c -> c.die() + "/" + c.cluster() + "/" + c.core()).distinct().count();
        return cpus.size() + " CPU" + (cpus.size() == 1 ? "" : "s") + " on " + dies + " die" + (dies == 1 ? "" : "s") + ", " + clusters
                + " cluster" + (clusters == 1 ? "" : "s") + ", " + (cores == 0 ? "cores unknown" : cores + " core" + (cores == 1 ? "" : "s"));
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
