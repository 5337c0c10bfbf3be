package dev.kiln.api;

import java.util.List;

/**
 * What the framework tells a suite about the machine before it runs.
 *
 * @param os            operating system name as the JVM reports it
 * @param arch          CPU architecture as the JVM reports it
 * @param logicalCpus   the logical CPUs the agent may use, with the cluster each belongs to
 * @param availableMemoryBytes memory available to new allocations now, or -1 when unknown
 */
public record SuiteEnvironment(String os, String arch, List<LogicalCpu> logicalCpus, long availableMemoryBytes) {

    public SuiteEnvironment {
        logicalCpus = List.copyOf(logicalCpus);
    }

    /**
     * One logical CPU.
     *
     * @param id      the OS's logical CPU number
     * @param cluster name of the cluster or core type (for example {@code performance}); cores in
     *                one cluster are expected to perform alike
     * @param core    an id the logical CPUs of one physical core share (SMT siblings), -1 when unknown
     * @param die     an id the CPUs of one die share (a package's die; the two dies of an Apple
     *                Ultra part), -1 when unknown
     */
    public record LogicalCpu(int id, String cluster, int core, int die) {

        /** A CPU whose core and die are not known. */
        public LogicalCpu(int id, String cluster) {
            this(id, cluster, -1, -1);
        }
    }
}
