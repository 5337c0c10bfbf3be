package dev.kiln.core.runner;

import dev.kiln.api.SuiteEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    public static Map<SuiteRequest, SuiteEnvironment> assign(SuiteEnvironment env, List<SuiteRequest> members) {
        List<SuiteEnvironment.LogicalCpu> cpus = env.logicalCpus();
        int n = cpus.size();
        Map<SuiteRequest, SuiteEnvironment> out = new LinkedHashMap<>();
        if (n == 0) {
            members.forEach(m -> out.put(m, env));
            return out;
        }
        boolean[] kept = new boolean[n];
        int next = n - 1;
        for (SuiteRequest m : members) {
            if (m.threads() > 0) {
                int want = Math.min(n, Math.max(1, (int) Math.ceil(m.threads() * n - 1e-9)));
                List<SuiteEnvironment.LogicalCpu> mine = new ArrayList<>();
                for (int k = 0; k < want; k++) {
                    int at = Math.floorMod(next--, n); // wraps round when the shares add up to more than the machine
                    kept[at] = true;
                    mine.add(0, cpus.get(at));
                }
                out.put(m, new SuiteEnvironment(env.os(), env.arch(), mine, env.availableMemoryBytes()));
            }
        }
        List<SuiteEnvironment.LogicalCpu> rest = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            if (!kept[k]) {
                rest.add(cpus.get(k));
            }
        }
        SuiteEnvironment leftover = new SuiteEnvironment(env.os(), env.arch(), rest.isEmpty() ? cpus : rest, env.availableMemoryBytes());
        for (SuiteRequest m : members) {
            out.putIfAbsent(m, leftover);
        }
        // keep the plan's order
        Map<SuiteRequest, SuiteEnvironment> ordered = new LinkedHashMap<>();
        members.forEach(m -> ordered.put(m, out.get(m)));
        return ordered;
    }
}
