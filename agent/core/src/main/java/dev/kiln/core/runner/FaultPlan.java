package dev.kiln.core.runner;

/**
 * A fault to plant (the test seam of DESIGN §2): at {@code site} of suite {@code suiteId}, on the
 * worker placed on logical CPU {@code cpu} (-1: any worker), in phase {@code phase} (null: any), at
 * iteration {@code iteration} (-1: any), each time the site is asked with probability {@code chance}
 * (1: always; less: an intermittent defect, as {@code bench/detect.sh} plants one). Reachable from
 * tests and the hidden {@code --inject-fault} flag only.
 */
public record FaultPlan(String suiteId, String site, int cpu, String phase, long iteration, double chance) {

    public FaultPlan {
        if (!(chance > 0 && chance <= 1)) {
            throw new IllegalArgumentException("a fault's chance must be in (0, 1], not " + chance);
        }
    }

    /** A fault planted every time its site is asked at that iteration. */
    public FaultPlan(String suiteId, String site, int cpu, String phase, long iteration) {
        this(suiteId, site, cpu, phase, iteration, 1);
    }

    boolean matches(String suite, String atSite, int atCpu, int workerIndex, String atPhase, long atIteration) {
        return suiteId.equals(suite)
                && (site.equals("*") || site.equals(atSite))
                && (cpu < 0 || cpu == (atCpu >= 0 ? atCpu : workerIndex))
                && (phase == null || phase.equals(atPhase))
                && (iteration < 0 || iteration == atIteration)
                && (chance >= 1 || java.util.concurrent.ThreadLocalRandom.current().nextDouble() < chance);
    }

    /**
     * Parses {@code suite:site@cpu:iteration[~chance][/phase]}, e.g. {@code cpu:sha256@1:3/each-core};
     * iteration {@code *} is any; a suite in a stage is named with its stage,
     * {@code together/memory:*@-1:5}; {@code cpu:crc32c@1:*~0.001/all-cores} is a defect of CRC32C's
     * on CPU 1 that spoils one of its runs in a thousand.
     *
     * @throws IllegalArgumentException on anything else
     */
    public static FaultPlan parse(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("((?:[a-z0-9-]+/)?[a-z0-9-]+):([A-Za-z0-9*_.-]+)@(-?\\d+):(\\d+|\\*)(?:~([0-9.eE-]+))?(?:/([a-z0-9-]+))?")
                .matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("fault '" + text + "' is not suite:site@cpu:iteration[~chance][/phase]");
        }
        double chance;
        try {
            chance = m.group(5) == null ? 1 : Double.parseDouble(m.group(5));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault '" + text + "': chance '" + m.group(5) + "' is not a number");
        }
        if (!(chance > 0 && chance <= 1)) {
            throw new IllegalArgumentException("fault '" + text + "': chance " + m.group(5) + " is not in (0, 1]");
        }
        return new FaultPlan(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(6),
                m.group(4).equals("*") ? -1 : Long.parseLong(m.group(4)), chance);
    }
}
