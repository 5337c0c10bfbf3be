package dev.kiln.core.runner;

/**
 * A fault to plant (the test seam of DESIGN §2): at {@code site} of suite {@code suiteId}, on the
 * worker placed on logical CPU {@code cpu} (-1: any worker), in phase {@code phase} (null: any), at
 * iteration {@code iteration}. Reachable from tests and the hidden {@code --inject-fault} flag only.
 */
public record FaultPlan(String suiteId, String site, int cpu, String phase, long iteration) {

    boolean matches(String suite, String atSite, int atCpu, int workerIndex, String atPhase, long atIteration) {
        return suiteId.equals(suite)
                && (site.equals("*") || site.equals(atSite))
                && (cpu < 0 || cpu == (atCpu >= 0 ? atCpu : workerIndex))
                && (phase == null || phase.equals(atPhase))
                && iteration == atIteration;
    }

    /**
     * Parses {@code suite:site@cpu:iteration[/phase]}, e.g. {@code cpu:sha256@1:3/each-core}; a suite
     * in a stage is named with its stage, {@code together/memory:*@-1:5}.
     *
     * @throws IllegalArgumentException on anything else
     */
    public static FaultPlan parse(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("((?:[a-z0-9-]+/)?[a-z0-9-]+):([A-Za-z0-9*_.-]+)@(-?\\d+):(\\d+)(?:/([a-z0-9-]+))?").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("fault '" + text + "' is not suite:site@cpu:iteration[/phase]");
        }
        return new FaultPlan(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(5), Long.parseLong(m.group(4)));
    }
}
