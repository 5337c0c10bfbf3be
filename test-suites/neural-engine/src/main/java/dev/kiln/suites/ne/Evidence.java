package dev.kiln.suites.ne;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the Neural Engine did the work: right answers prove the arithmetic, not where it ran
 * (Core ML may place any operation on the CPU). Two sources, each either available or not:
 * <ul>
 *   <li>the Core ML compute plan (ONNX Runtime's {@code ProfileComputePlan}): the device each
 *       operation was placed on;</li>
 *   <li>ANE power from the platform's telemetry ({@code ane_power_watts}, powermetrics as root): the
 *       engine drawing power while the suite loads it, against its idle draw.</li>
 * </ul>
 * {@link #decide} turns them into PROVEN (at least one shows the engine at work and none says
 * otherwise), CONTRADICTED (one says the work ran elsewhere) or NONE (no source shows it). The plan
 * shows the engine at work only when every session's plan does, whole; a plan that is missing,
 * partial, or names no device for an operation is no evidence — never evidence against.
 */
final class Evidence {
    enum Finding { PROVEN, CONTRADICTED, NONE }

    /** The compute plan: operations by the device Core ML placed them on, or why it is unknown. */
    record Plan(Map<String, Integer> byDevice, List<String> offEngine, String unavailable) {
        static Plan unknown(String why) {
            return new Plan(Map.of(), List.of(), why);
        }

        boolean available() {
            return unavailable == null;
        }

        int operations() {
            return byDevice.values().stream().mapToInt(Integer::intValue).sum();
        }

        int onEngine() {
            return byDevice.getOrDefault(NEURAL_ENGINE, 0);
        }
    }

    /** ANE power: idle before the suite's load, mean while loaded, or why it is unknown. */
    record Power(double idleWatts, double loadWatts, int samples, String unavailable) {
        static Power unknown(String why) {
            return new Power(Double.NaN, Double.NaN, 0, why);
        }

        boolean available() {
            return unavailable == null;
        }
    }

    record Decision(Finding finding, String summary) {
    }

    static final String NEURAL_ENGINE = "neural-engine";
    /** Core ML named no device for the operation ({@code Device Usage: (null)}): no evidence either way. */
    static final String NO_DEVICE = "no device named";
    private static final Pattern PLAN_LINE = Pattern.compile("Operation: ([^,]+), Device Usage: (.*?), Estimated Cost: ([-0-9.eE+naNinf]+)");

    private Evidence() {
    }

    /**
     * Reads the compute plan from what Core ML logged while a session loaded: lines of the form
     * {@code Operation: ios18.conv, Device Usage: <MLNeuralEngineComputeDevice: 0x…>, Estimated Cost: 0.12}
     * (anything before them on the line, such as NSLog's prefix, is ignored; {@code const} operations
     * are not placed anywhere and are skipped). Every line is read, to the end of the text.
     */
    static Plan parsePlan(String log) {
        Map<String, Integer> byDevice = new LinkedHashMap<>();
        List<String> off = new ArrayList<>();
        for (String line : log.split("\\R")) {
            Matcher m = PLAN_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String op = m.group(1).trim();
            if (op.equals("const")) {
                continue;
            }
            String device = device(m.group(2));
            byDevice.merge(device, 1, Integer::sum);
            if (device.equals("cpu") || device.equals("gpu")) {
                off.add(op + " on " + device);
            }
        }
        if (byDevice.isEmpty()) {
            return Plan.unknown("Core ML logged no compute plan (it needs macOS 14.4 or later and an ML Program model)");
        }
        return new Plan(byDevice, off, null);
    }

    /** How many plan lines (const aside) the text holds so far: how {@code prepare} knows a plan is whole. */
    static int planLines(String log) {
        Plan p = parsePlan(log);
        return p.available() ? p.operations() : 0;
    }

    private static String device(String text) {
        if (text.contains("NeuralEngine")) {
            return NEURAL_ENGINE;
        }
        if (text.contains("GPUComputeDevice")) {
            return "gpu";
        }
        if (text.contains("CPUComputeDevice")) {
            return "cpu";
        }
        if (text.trim().equals("(null)")) {
            return NO_DEVICE;
        }
        return "unknown (" + text.trim() + ")";
    }

    /** What one session's plan shows. */
    enum Showing { ON_ENGINE, ELSEWHERE, NO_EVIDENCE }

    /**
     * One session's plan against the model: ELSEWHERE when any operation is placed on the CPU or the
     * GPU; ON_ENGINE when every operation it lists names the Neural Engine and they are at least the
     * model's {@code modelOps} nodes (each ONNX node becomes one Core ML operation or more); anything
     * else (no plan, a partial plan, an operation with no device or an unknown one) is no evidence.
     */
    static Showing showing(Plan p, int modelOps) {
        if (!p.available()) {
            return Showing.NO_EVIDENCE;
        }
        if (!p.offEngine().isEmpty()) {
            return Showing.ELSEWHERE;
        }
        return p.onEngine() == p.operations() && p.onEngine() >= modelOps ? Showing.ON_ENGINE : Showing.NO_EVIDENCE;
    }

    private static String words(Plan p, int modelOps) {
        if (!p.available()) {
            return "unavailable (" + p.unavailable() + ")";
        }
        return switch (showing(p, modelOps)) {
            case ELSEWHERE -> String.format(Locale.ROOT, "%d of %d operations off the Neural Engine (%s)", p.offEngine().size(), p.operations(),
                    String.join(", ", p.offEngine().subList(0, Math.min(5, p.offEngine().size()))));
            case ON_ENGINE -> String.format(Locale.ROOT, "all %d operations on the Neural Engine%s", p.operations(),
                    p.operations() > modelOps ? String.format(Locale.ROOT, " (the model has %d nodes)", modelOps) : "");
            case NO_EVIDENCE -> {
                List<String> rest = new ArrayList<>();
                p.byDevice().forEach((d, n) -> {
                    if (!d.equals(NEURAL_ENGINE)) {
                        rest.add(n + " " + (d.equals(NO_DEVICE) ? "with no device named" : "on " + d));
                    }
                });
                yield String.format(Locale.ROOT, "no evidence: %d of the model's %d operations named on the Neural Engine%s", p.onEngine(), modelOps,
                        rest.isEmpty() ? " (a partial plan)" : ", " + String.join(", ", rest));
            }
        };
    }

    /**
     * @param plans    every session's compute plan, in session order
     * @param modelOps the model's nodes: a plan listing fewer operations on the engine is partial
     * @param minWatts how far above its idle draw the engine must be while loaded to count as busy
     */
    static Decision decide(List<Plan> plans, int modelOps, Power power, double minWatts) {
        List<String> said = new ArrayList<>();
        boolean proven = false;
        boolean contradicted = false;
        if (!plans.isEmpty()) {
            List<Showing> each = plans.stream().map(p -> showing(p, modelOps)).toList();
            List<String> text = plans.stream().map(p -> words(p, modelOps)).toList();
            contradicted = each.contains(Showing.ELSEWHERE);
            proven = each.stream().allMatch(s -> s == Showing.ON_ENGINE);
            if (plans.size() == 1) {
                said.add("compute plan: " + text.get(0));
            } else if (text.stream().distinct().count() == 1) {
                said.add("compute plan, each of " + plans.size() + " sessions: " + text.get(0));
            } else {
                List<String> per = new ArrayList<>();
                for (int i = 0; i < text.size(); i++) {
                    per.add("session " + i + ": " + text.get(i));
                }
                said.add("compute plan, sessions disagree: " + String.join("; ", per));
            }
        }
        if (power.available()) {
            double idle = Double.isFinite(power.idleWatts()) ? power.idleWatts() : 0;
            if (power.samples() == 0) {
                said.add("ANE power: no sample while loaded");
            } else if (power.loadWatts() >= idle + minWatts) {
                proven = true;
                said.add(String.format(Locale.ROOT, "ANE power: %.2f W loaded against %.2f W idle (%d samples)", power.loadWatts(), idle,
                        power.samples()));
            } else {
                contradicted = true;
                said.add(String.format(Locale.ROOT, "ANE power: %.2f W loaded against %.2f W idle (%d samples): not busy (needs %.2f W more than idle)",
                        power.loadWatts(), idle, power.samples(), minWatts));
            }
        } else {
            said.add("ANE power: unavailable (" + power.unavailable() + ")");
        }
        Finding f = contradicted ? Finding.CONTRADICTED : proven ? Finding.PROVEN : Finding.NONE;
        return new Decision(f, String.join("; ", said));
    }
}
