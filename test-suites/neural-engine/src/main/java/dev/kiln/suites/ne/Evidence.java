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
 * otherwise), CONTRADICTED (one says the work ran elsewhere) or NONE (no source available).
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
    private static final Pattern PLAN_LINE = Pattern.compile("Operation: ([^,]+), Device Usage: (.*?), Estimated Cost: ([-0-9.eE+naNinf]+)");

    private Evidence() {
    }

    /**
     * Reads the compute plan from what Core ML logged while the session loaded: lines of the form
     * {@code Operation: ios18.conv, Device Usage: <MLNeuralEngineComputeDevice: 0x…>, Estimated Cost: 0.12}
     * (anything before them on the line, such as NSLog's prefix, is ignored; {@code const} operations
     * are not placed anywhere and are skipped).
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
            if (!device.equals(NEURAL_ENGINE)) {
                off.add(op + " on " + device);
            }
        }
        if (byDevice.isEmpty()) {
            return Plan.unknown("Core ML logged no compute plan (it needs macOS 14.4 or later and an ML Program model)");
        }
        return new Plan(byDevice, off, null);
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
        return "unknown (" + text.trim() + ")";
    }

    /**
     * @param minWatts how far above its idle draw the engine must be while loaded to count as busy
     */
    static Decision decide(Plan plan, Power power, double minWatts) {
        List<String> said = new ArrayList<>();
        boolean proven = false;
        boolean contradicted = false;
        if (plan.available()) {
            if (plan.onEngine() < plan.operations()) {
                contradicted = true;
                said.add(String.format(Locale.ROOT, "compute plan: %d of %d operations off the Neural Engine (%s)",
                        plan.operations() - plan.onEngine(), plan.operations(), String.join(", ", plan.offEngine().subList(0,
                                Math.min(5, plan.offEngine().size())))));
            } else {
                proven = true;
                said.add(String.format(Locale.ROOT, "compute plan: all %d operations on the Neural Engine", plan.operations()));
            }
        } else {
            said.add("compute plan: unavailable (" + plan.unavailable() + ")");
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
