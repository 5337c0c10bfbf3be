package dev.kiln.core.runner;

import dev.kiln.api.SuiteEnvironment;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares the machine's logical CPUs among the members of a stage: a member with a thread share
 * keeps {@code ceil(share × CPUs)} of them (at least one), taken from the end of the list (the
 * memory suite, the feeders of the GPU and Neural Engine); the members without one (the CPU suite)
 * get every CPU no one kept. When the kept CPUs leave none over, or the shares add up to more
 * than the machine, members share CPUs rather than go without: the CPUs are oversubscribed, never
 * idle. Memory is not divided here: each suite's own share parameter sizes it.
 */
public final class StageShares {
    private StageShares() {
    }

    /** Each member's environment, in the members' order. */
    public static List<SuiteEnvironment> assign(SuiteEnvironment env, List<SuiteRequest> members) {
        List<SuiteEnvironment.LogicalCpu> cpus = env.logicalCpus();
        int n = cpus.size();
        if (n == 0) {
            return members.stream().map(m -> env).toList();
        }
        SuiteEnvironment[] out = new SuiteEnvironment[members.size()];
        boolean[] kept = new boolean[n];
        int next = n - 1;
        for (int k = 0; k < out.length; k++) {
            double share = members.get(k).threads();
            if (share > 0) {
                int want = Math.min(n, Math.max(1, (int) Math.ceil(share * n - 1e-9)));
                List<SuiteEnvironment.LogicalCpu> mine = new ArrayList<>();
                for (int i = 0; i < want; i++) {
                    int at = Math.floorMod(next--, n); // wraps round when the shares add up to more than the machine
                    kept[at] = true;
                    mine.add(0, cpus.get(at));
                }
                out[k] = with(env, mine);
            }
        }
        List<SuiteEnvironment.LogicalCpu> rest = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!kept[i]) {
                rest.add(cpus.get(i));
            }
        }
        SuiteEnvironment leftover = with(env, rest.isEmpty() ? cpus : rest);
        for (int k = 0; k < out.length; k++) {
            if (out[k] == null) {
                out[k] = leftover;
            }
        }
        return List.of(out);
    }

    private static SuiteEnvironment with(SuiteEnvironment env, List<SuiteEnvironment.LogicalCpu> cpus) {
        return new SuiteEnvironment(env.os(), env.arch(), cpus, env.availableMemoryBytes());
    }
}
