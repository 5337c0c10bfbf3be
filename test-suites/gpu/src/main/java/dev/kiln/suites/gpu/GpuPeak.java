package dev.kiln.suites.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The FP32 peak of an Apple GPU: cores × 128 FP32 lanes × 2 (an FMA is two operations) × clock, the
 * clocks per chip family from ../shared/research/metal-ffm.md (philipturner/metal-benchmarks and
 * applegpuinfo for M1–M3, eclecticlight's measurement for the M4 Pro; the M5 family's is unpublished,
 * so no peak is claimed there). Recorded beside the measured FLOP/s so the first Mac's run says how
 * much of its GPU the suite drives.
 */
final class GpuPeak {
    /** FP32 lanes per Apple GPU core. */
    static final int LANES = 128;
    private static final Pattern CHIP = Pattern.compile("Apple (M\\d+)(?: (Pro|Max|Ultra))?");

    private GpuPeak() {
    }

    /** The GPU clock of an Apple chip by its device name ("Apple M1 Pro"), in GHz; empty where no source gives one. */
    static OptionalDouble clockGHz(String deviceName) {
        Matcher m = CHIP.matcher(deviceName == null ? "" : deviceName);
        if (!m.find()) {
            return OptionalDouble.empty();
        }
        String tier = m.group(2);
        return switch (m.group(1)) {
            case "M1" -> OptionalDouble.of(tier == null ? 1.278 : 1.296);
            case "M2" -> OptionalDouble.of(1.398);
            case "M3" -> OptionalDouble.of(1.380);
            case "M4" -> OptionalDouble.of(1.578);
            default -> OptionalDouble.empty(); // M5 and later: unpublished
        };
    }

    /** Peak FP32 FLOP/s of {@code cores} cores at {@code ghz}. */
    static double flops(int cores, double ghz) {
        return cores * (double) LANES * 2 * ghz * 1e9;
    }

    /** A GPU as system_profiler lists it: its model and core count. */
    record Listed(String model, int cores) {
    }

    private static final Pattern CORES = Pattern.compile("\"sppci_cores\"\\s*:\\s*\"(\\d+)\"");
    private static final Pattern MODEL = Pattern.compile("\"sppci_model\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * The GPUs of {@code system_profiler -json SPDisplaysDataType}: each entry's {@code sppci_model}
     * with the {@code sppci_cores} of the same entry (system_profiler writes an entry's keys sorted, so
     * its cores come before its model); -1 cores when the entry has none (a discrete GPU).
     */
    static List<Listed> parse(String json) {
        List<Listed> out = new ArrayList<>();
        Matcher model = MODEL.matcher(json);
        int from = 0;
        while (model.find()) {
            Matcher cores = CORES.matcher(json).region(from, model.start());
            int n = -1;
            while (cores.find()) {
                n = Integer.parseInt(cores.group(1));
            }
            out.add(new Listed(model.group(1), n));
            from = model.end();
        }
        return out;
    }

    /** The cores system_profiler gives the GPU of this name, or -1. */
    static int coresOf(String name, List<Listed> listed) {
        return listed.stream().filter(l -> l.model().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))).mapToInt(Listed::cores)
                .findFirst().orElse(-1);
    }
}
