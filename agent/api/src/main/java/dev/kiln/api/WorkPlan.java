package dev.kiln.api;

import java.util.List;
import java.util.Objects;

/**
 * How the framework lays out a suite's workers: phases run one after the other, each taking a share
 * of the suite's time budget.
 */
public record WorkPlan(List<Phase> phases) {

    public WorkPlan {
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a work plan needs at least one phase");
        }
        double total = phases.stream().mapToDouble(Phase::weight).sum();
        if (total <= 0) {
            throw new IllegalArgumentException("phase weights must add up to more than zero");
        }
    }

    /** One unpinned worker for the whole budget. */
    public static WorkPlan single() {
        return new WorkPlan(List.of(new Phase("main", Mode.PARALLEL, List.of(Placement.ANY), 1.0)));
    }

    /** How the workers of a phase run. */
    public enum Mode {
        /** All workers at once for the phase's share of the budget. */
        PARALLEL,
        /** One worker at a time, each for an equal slice of the phase's share. */
        SEQUENTIAL
    }

    /**
     * A phase.
     *
     * @param name       kebab-case name, reported with every failure
     * @param mode       parallel or one at a time
     * @param placements one worker per placement
     * @param weight     share of the time budget relative to the other phases
     */
    public record Phase(String name, Mode mode, List<Placement> placements, double weight) {
        public Phase {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mode, "mode");
            placements = List.copyOf(placements);
            if (placements.isEmpty()) {
                throw new IllegalArgumentException("phase " + name + " has no workers");
            }
            if (!(weight >= 0)) {
                throw new IllegalArgumentException("phase weight must be >= 0");
            }
        }
    }

    /**
     * Where one worker should run.
     *
     * @param cpu     logical CPU to pin to, or -1 for anywhere
     * @param cluster the cluster that CPU belongs to (used to steer where pinning is impossible), or
     *                empty
     */
    public record Placement(int cpu, String cluster) {
        public static final Placement ANY = new Placement(-1, "");

        public static Placement on(SuiteEnvironment.LogicalCpu cpu) {
            return new Placement(cpu.id(), cpu.cluster());
        }
    }
}
