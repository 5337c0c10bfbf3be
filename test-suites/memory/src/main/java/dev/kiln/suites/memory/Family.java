package dev.kiln.suites.memory;

import java.util.ArrayList;
import java.util.List;

/** The families of passes the suite runs in turn; each name is also its fault-injection site. */
record Family(String id, Pattern pattern, Passes.Op op) {
    static final String MOVING_INVERSIONS = "moving-inversions";
    static final String COPY = "copy";
    /** Retention: all ones held untouched, checked; all zeros held, checked (memtest86's bit fade). */
    static final String BIT_FADE = "bit-fade";

    static List<Family> all() {
        List<Family> f = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            f.add(new Family(p.id, p, null));
        }
        for (Passes.Op o : Passes.Op.values()) {
            f.add(new Family(o.id(), null, o));
        }
        f.add(new Family(MOVING_INVERSIONS, null, null));
        f.add(new Family(BIT_FADE, null, null));
        f.add(new Family(COPY, null, null));
        return f;
    }

    /** The bit the fault seam flips. */
    static final int FAULT_BIT = 13;

    /** The word the fault seam flips: a third of the way in (inside the first half, or the first block copied). */
    static long faultWord(String family, long segmentWords) {
        if (family.equals(COPY)) {
            return Copier.firstDestination(segmentWords) + Math.min(Copier.BLOCK, segmentWords / 2) / 3; // in the first block copied
        }
        return segmentWords / 6;
    }
}
