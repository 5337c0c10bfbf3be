package dev.kiln.core.runner;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What is known when a run starts.
 *
 * @param runId        UUIDv7
 * @param profile      profile name (or file)
 * @param seed         the run seed
 * @param started      start time
 * @param agentVersion the agent's version
 * @param commandLine  the command line as typed
 * @param suites       the suites it will run, in order
 * @param unit         identity of the machine under test (serial, model, ...)
 */
public record RunInfo(String runId, String profile, long seed, Instant started, String agentVersion,
                      String commandLine, List<PlannedSuite> suites, Map<String, String> unit) {
    public RunInfo {
        suites = List.copyOf(suites);
        unit = Map.copyOf(unit);
    }
}
