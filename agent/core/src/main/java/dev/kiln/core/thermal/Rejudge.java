package dev.kiln.core.thermal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleNames;
import dev.kiln.core.runner.StageWindow;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sealed bundle holds for judging its heat again ({@code kiln judge}): the trace
 * ({@code telemetry/samples.csv}), the stage windows the thermal result recorded, the thresholds and
 * CPU clusters the run judged with ({@code inventory.json}'s {@code thermal}). Reads; never changes
 * the bundle.
 *
 * @param trace       the run's trace
 * @param stages      the stages it ran (empty: a run of suites one at a time, or one without a judge)
 * @param limits      the thresholds the run used (none recorded: {@link ThermalLimits#NONE})
 * @param cpuClusters the cluster of each logical CPU, as recorded
 * @param runId       the run
 * @param verdict     the run's sealed verdict
 */
public record Rejudge(Trace trace, List<StageWindow> stages, ThermalLimits limits, Map<Integer, String> cpuClusters,
                      String runId, String verdict) implements AutoCloseable {

    /** Removes the trace's temporary file, if it has one. */
    @Override
    public void close() {
        trace.close();
    }

    /** @throws IOException naming the file of the bundle that is missing or malformed */
    public static Rejudge of(Map<String, byte[]> files) throws IOException {
        byte[] csv = files.get(BundleNames.TELEMETRY);
        return of(files.get(BundleNames.SUMMARY), files.get(BundleNames.INVENTORY), csv == null ? null : new java.io.ByteArrayInputStream(csv));
    }

    /**
     * The same with the telemetry streamed (a month of it is never held: {@link Trace#parse} keeps
     * it in a temporary file past its heap budget); {@link #close()} removes that file.
     *
     * @throws IOException naming the file of the bundle that is missing or malformed
     */
    public static Rejudge of(byte[] summary, byte[] inventory, java.io.InputStream csv) throws IOException {
        if (csv == null || summary == null || inventory == null) {
            throw new IOException("the bundle lacks " + (csv == null ? BundleNames.TELEMETRY : summary == null ? BundleNames.SUMMARY
                    : BundleNames.INVENTORY));
        }
        Trace trace;
        try {
            trace = Trace.parse(csv);
        } catch (Trace.SpillFailed e) {
            throw e; // this machine's disk, not the bundle: the caller says so with its own code
        } catch (IOException e) {
            throw new IOException(BundleNames.TELEMETRY + ": " + e.getMessage(), e);
        }
        try {
            return of(trace, summary, inventory);
        } catch (IOException | RuntimeException e) {
            trace.close();
            throw e;
        }
    }

    private static Rejudge of(Trace trace, byte[] summary, byte[] inventory) throws IOException {
        JsonNode s;
        JsonNode inv;
        try {
            s = Json.MAPPER.readTree(summary);
            inv = Json.MAPPER.readTree(inventory);
        } catch (IOException e) {
            throw new IOException("the bundle's summary or inventory is not JSON: " + e.getMessage(), e);
        }
        List<StageWindow> stages = new ArrayList<>();
        for (JsonNode r : s.path("suites")) {
            if (!r.path("suiteId").asText().equals(ThermalSuite.ID)) {
                continue;
            }
            for (JsonNode m : r.path("measurements")) {
                if (m.path("name").asText().equals("stage_window_seconds")) {
                    JsonNode md = m.path("metadata");
                    try {
                        Instant start = Instant.parse(md.path("start").asText());
                        stages.add(new StageWindow(md.path("stage").asText(), Instant.parse(md.path("baselineStart").asText()),
                                md.hasNonNull("prepareStart") ? Instant.parse(md.path("prepareStart").asText()) : start, start,
                                Instant.parse(md.path("end").asText()), Instant.parse(md.path("cooldownEnd").asText())));
                    } catch (RuntimeException e) {
                        throw new IOException("the thermal result's stage window is malformed: " + e.getMessage(), e);
                    }
                }
            }
        }
        ThermalLimits limits = ThermalLimits.NONE;
        Map<Integer, String> clusters = new LinkedHashMap<>();
        JsonNode t = inv.path("thermal");
        if (t.isObject()) {
            try {
                limits = Json.MAPPER.treeToValue(t.path("limits"), ThermalLimits.class);
            } catch (IOException e) {
                throw new IOException("the bundle's thermal limits are malformed: " + e.getMessage(), e);
            }
            if (limits != null && limits.check() != null) {
                throw new IOException("the bundle's thermal limits: " + limits.check().field() + " " + limits.check().message());
            }
            try {
                t.path("cpuClusters").properties().forEach(e -> clusters.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
            } catch (NumberFormatException e) {
                throw new IOException("the bundle's CPU clusters are malformed: " + e.getMessage(), e);
            }
        }
        return new Rejudge(trace, stages, limits == null ? ThermalLimits.NONE : limits, clusters, s.path("runId").asText(),
                s.path("verdict").asText());
    }
}
