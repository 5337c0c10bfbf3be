package dev.kiln.core.sku;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kiln.core.KilnException;
import dev.kiln.core.inventory.Inventory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a SKU promises (DESIGN §10), read from YAML; every key optional, unknown keys refused:
 * <pre>
 * name: mac-studio-m4max-48
 * chip: Apple M4 Max
 * clusters: {performance: 12, efficiency: 4}   # by cluster name, as the OS names them
 * gpuCores: 40
 * memoryGiB: 48
 * neuralEngine: true
 * limits:                                   # the thermal judge's thresholds (docs/thermal.md)
 *   maxTemperatureCelsius: 105
 *   minSustainedClockHertz: 3.0e9            # the performance cores' clusters
 *   # or per kind of cluster: {performance: 3.0e9, efficiency: 2.0e9} (a cluster key such as p0 also works)
 * </pre>
 * A SKU must name at least one part or limit to check: one that holds only {@code name} would
 * pass every machine, and is refused at load (78).
 */
public record Sku(@JsonProperty("name") String name, @JsonProperty("chip") String chip,
                  @JsonProperty("clusters") Map<String, Integer> clusters, @JsonProperty("gpuCores") Integer gpuCores,
                  @JsonProperty("memoryGiB") Integer memoryGiB, @JsonProperty("neuralEngine") Boolean neuralEngine,
                  @JsonProperty("limits") dev.kiln.core.thermal.ThermalLimits limits) {

    /** One line of the comparison. */
    public record Check(String field, String expected, String actual, boolean ok) {
    }

    /**
     * The suites whose engine this SKU says the unit has: {@code gpu} when it names GPU cores,
     * {@code neural-engine} when it says the unit has one. Their runs are required, and a run of one on
     * a stand-in (a CPU device or provider standing in for the engine) is never a pass.
     */
    public java.util.Set<String> enginesRequired() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (gpuCores != null && gpuCores > 0) {
            out.add("gpu");
        }
        if (Boolean.TRUE.equals(neuralEngine)) {
            out.add("neural-engine");
        }
        return out;
    }

    /** @throws KilnException 78 with the file, line and field for unknown keys or wrong types */
    public static Sku load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw KilnException.config("cannot read SKU file " + file + ": " + dev.kiln.bundle.Why.of(e));
        }
        ObjectMapper yaml = dev.kiln.core.state.Json.YAML;
        try {
            Sku s = yaml.readValue(text, Sku.class);
            if (s == null) {
                throw KilnException.config("SKU file " + file + " is empty");
            }
            if (s.chip == null && s.clusters == null && s.gpuCores == null && s.memoryGiB == null && s.neuralEngine == null
                    && (s.limits == null || !s.limits.checksSomething())) {
                throw KilnException.config("SKU file " + file + " names no part and no limit to check (chip, clusters, gpuCores, "
                        + "memoryGiB, neuralEngine, limits): it would pass any machine");
            }
            if (s.limits != null) {
                dev.kiln.core.thermal.ThermalLimits.Problem p = s.limits.check();
                if (p != null) {
                    String top = p.field().contains(".") ? p.field().substring(0, p.field().indexOf('.')) : p.field();
                    throw KilnException.config("SKU file " + file + ", line " + lineOf(text, top) + ": field 'limits." + p.field()
                            + "' " + p.message());
                }
            }
            return s;
        } catch (UnrecognizedPropertyException e) {
            throw KilnException.config("SKU file " + file + ", line " + lineOf(text, e.getPropertyName()) + ": unknown key '"
                    + e.getPropertyName() + "'");
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            String last = e.getPath().isEmpty() ? "" : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw KilnException.config("SKU file " + file + ", line " + lineOf(text, last) + ": field '" + field + "' has the wrong type");
        } catch (JsonProcessingException e) {
            throw KilnException.config("SKU file " + file + (e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr())
                    + ": " + String.valueOf(e.getOriginalMessage()).split("\n")[0]);
        }
    }

    /** The 1-based line where {@code key:} first appears (Jackson's own location points past the value). */
    static int lineOf(String text, String key) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (key != null && lines[i].trim().startsWith(key + ":")) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Compares the inventory with this SKU, field by field. */
    public List<Check> compare(Inventory inv) {
        List<Check> out = new ArrayList<>();
        if (chip != null) {
            out.add(new Check("chip", chip, inv.chip(), chip.equalsIgnoreCase(inv.chip().trim())));
        }
        if (clusters != null) {
            Map<String, Integer> actual = new LinkedHashMap<>();
            inv.clusters().forEach(c -> actual.put(c.name().toLowerCase(Locale.ROOT), c.cores()));
            for (Map.Entry<String, Integer> e : clusters.entrySet()) {
                Integer a = actual.get(e.getKey().toLowerCase(Locale.ROOT));
                out.add(new Check("clusters." + e.getKey(), e.getValue() + " cores", a == null ? "no such cluster" : a + " cores",
                        a != null && a.equals(e.getValue())));
            }
            for (String name : actual.keySet()) {
                if (clusters.keySet().stream().noneMatch(k -> k.equalsIgnoreCase(name))) {
                    out.add(new Check("clusters." + name, "no such cluster", actual.get(name) + " cores", false));
                }
            }
        }
        if (gpuCores != null) {
            int a = inv.gpus().stream().mapToInt(Inventory.Gpu::cores).filter(c -> c > 0).sum();
            out.add(new Check("gpuCores", Integer.toString(gpuCores), a > 0 ? Integer.toString(a) : "unknown", a == gpuCores));
        }
        if (memoryGiB != null) {
            long a = Math.round(inv.memoryBytes() / (double) (1L << 30));
            out.add(new Check("memoryGiB", Integer.toString(memoryGiB), Long.toString(a), a == memoryGiB));
        }
        if (neuralEngine != null) {
            Boolean a = inv.neuralEngine();
            out.add(new Check("neuralEngine", neuralEngine ? "present" : "absent", a == null ? "unknown" : a ? "present" : "absent",
                    neuralEngine.equals(a)));
        }
        return out;
    }
}
