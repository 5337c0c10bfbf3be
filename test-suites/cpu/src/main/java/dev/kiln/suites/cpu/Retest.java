package dev.kiln.suites.cpu;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A failed kernel run tried again with the same inputs: on the same core {@code runs} times, then on
 * another thread the OS places (not pinned: suites cannot pin), and classified, as OpenDCDiag's
 * {@code --retest-on-failure} does, so a technician can tell a reproducible defect from a one-off.
 *
 * @param runs           retests on the same core (fewer than asked when the time bound ended them)
 * @param failed         of those, how many gave a wrong answer again
 * @param neighbourRuns  retests on another thread (0: not tried, {@code neighbourNote} says why)
 * @param neighbourFailed of those, how many gave a wrong answer
 * @param differently    wrong answers seen in the retests that differ from the first one, in the order seen
 * @param nanos          the retests' time
 * @param note           why fewer were run than asked, or empty
 */
record Retest(int runs, int failed, int neighbourRuns, int neighbourFailed, Set<String> differently, long nanos, String note) {

    static final String NOT_RETESTED = "not retested";

    static Retest skipped(String why) {
        return new Retest(0, 0, 0, 0, Set.of(), 0, why);
    }

    /** {@code reproducible} (every retest failed), {@code intermittent} (some), {@code not reproduced} (none), or not retested. */
    String verdict() {
        if (runs == 0) {
            return NOT_RETESTED;
        }
        return failed == runs ? "reproducible" : failed > 0 ? "intermittent" : "not reproduced";
    }

    /** As the failure says it: {@code reproducible: 5 of 5 again on this core, 0 of 5 on another thread}. */
    String describe() {
        if (runs == 0) {
            return NOT_RETESTED + (note.isEmpty() ? "" : " (" + note + ")");
        }
        StringBuilder b = new StringBuilder(verdict()).append(": ").append(failed).append(" of ").append(runs).append(" again on this core");
        if (neighbourRuns > 0) {
            b.append(", ").append(neighbourFailed).append(" of ").append(neighbourRuns).append(" on another thread (not pinned)");
        }
        if (!differently.isEmpty()) {
            b.append("; the retests' wrong answers differ: ").append(String.join(", ", differently));
        }
        if (!note.isEmpty()) {
            b.append(" (").append(note).append(")");
        }
        return b.toString();
    }

    /** Collects a retest's wrong answers that differ from the first. */
    static final class Differences {
        private final String first;
        final Set<String> seen = new LinkedHashSet<>();

        Differences(String first) {
            this.first = first;
        }

        void add(String wrong) {
            if (!wrong.equals(first) && seen.size() < 4) {
                seen.add(wrong);
            }
        }
    }
}
