package dev.kiln.core.thermal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.runner.StageWindow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass judge (each channel read once, its figures kept, no column held) says exactly what the
 * judge before it said ({@link ThermalJudgeReference}, the code of commit 97d47ae) on random traces:
 * gaps, sensors that stop, stuck and impossible readings, fans that stop, power and busy steps, macOS
 * clusters that come and go and Linux CPUs, pressure, with and without a stage, with and without
 * floors; and the same again when the trace is read back spilled to a file.
 */
class ThermalJudgeParityTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void theOnePassJudgeSaysWhatTheWholeTraceJudgeSaidOnRandomTraces() throws IOException {
        Random r = new Random(2026_12_07L);
        int spilled = 0;
        for (int round = 0; round < 120; round++) {
            int n = 120 + r.nextInt(600);
            Trace t = randomTrace(r, n);
            List<StageWindow> stages = new ArrayList<>();
            if (r.nextInt(4) != 0) {
                int base = r.nextInt(n / 6);
                int prep = base + r.nextInt(n / 6);
                int start = prep + r.nextInt(n / 8);
                int end = start + r.nextInt(Math.max(1, n - start));
                int cool = Math.min(n + r.nextInt(30), end + r.nextInt(n / 3 + 1));
                stages.add(new StageWindow("together", T0.plusSeconds(base), T0.plusSeconds(prep), T0.plusSeconds(start), T0.plusSeconds(end),
                        T0.plusSeconds(cool)));
            }
            ThermalLimits limits = randomLimits(r);
            Map<Integer, String> clusters = r.nextBoolean() ? Map.of(0, "performance", 1, "performance", 2, "efficiency", 3, "efficiency")
                    : Map.of();
            String want = ThermalJudgeReference.judge(t, stages, limits, clusters).toString();
            assertEquals(want, ThermalJudge.judge(t, stages, limits, clusters).toString(), "round " + round);
            if (round % 4 == 0) {
                try (Trace s = Trace.parse(new ByteArrayInputStream(ThermalJudgeTest.csv(t).getBytes(StandardCharsets.UTF_8)), 0)) {
                    assertEquals(want, ThermalJudge.judge(s, stages, limits, clusters).toString(), "round " + round + ", spilled");
                    spilled++;
                }
            }
        }
        assertEquals(30, spilled);
    }

    private static ThermalLimits randomLimits(Random r) {
        if (r.nextBoolean()) {
            return ThermalLimits.NONE;
        }
        String sku = "maxTemperatureCelsius: " + (60 + r.nextInt(50)) + "\n"
                + "breachSeconds: " + (1 + r.nextInt(8)) + "\n"
                + "equilibriumWindow: " + (10 + r.nextInt(80)) + "s\n"
                + "heatUpWindow: " + (5 + r.nextInt(60)) + "s\n"
                + "minCoverage: 0." + (5 + r.nextInt(5)) + "\n"
                + (r.nextBoolean() ? "minSustainedClockHertz:\n  performance: 2.0e9\n  e: 1.0e9\n" : "");
        try {
            return dev.kiln.core.state.Json.YAML.readValue(sku, ThermalLimits.class);
        } catch (IOException e) {
            throw new IllegalStateException(sku, e);
        }
    }

    /** Channels of every kind the judge reads, each with its own faults. */
    static Trace randomTrace(Random r, int n) {
        Map<String, double[]> cols = new LinkedHashMap<>();
        int temps = 1 + r.nextInt(6);
        double load0 = n * r.nextDouble() * 0.3;
        double load1 = load0 + n * r.nextDouble();
        for (int c = 0; c < temps; c++) {
            double[] v = new double[n];
            double offset = r.nextInt(5) == 0 ? 30 : r.nextDouble() * 3;
            boolean stuck = r.nextInt(6) == 0;
            boolean runaway = r.nextInt(6) == 0;
            int stopsAt = r.nextInt(4) == 0 ? r.nextInt(n) : n;
            for (int i = 0; i < n; i++) {
                boolean load = i >= load0 && i < load1;
                double x = stuck ? 55 : 40 + offset + (load ? 35 * (1 - Math.exp(-(i - load0) / 30)) : 0) + (runaway && load ? (i - load0) * 0.2 : 0)
                        + r.nextGaussian() * 0.3;
                int roll = r.nextInt(60);
                v[i] = i >= stopsAt || roll == 0 ? Double.NaN : roll == 1 ? 400 : roll == 2 ? 120 : Math.round(x * 100) / 100.0;
            }
            cols.put("smc_Tp0" + c + "_celsius", v);
        }
        for (int f = 0; f < r.nextInt(3); f++) {
            double[] v = new double[n];
            int stopFrom = r.nextInt(n);
            int stopLen = r.nextInt(20);
            for (int i = 0; i < n; i++) {
                boolean load = i >= load0 && i < load1;
                v[i] = i >= stopFrom && i < stopFrom + stopLen ? 0 : r.nextInt(40) == 0 ? Double.NaN : load && r.nextBoolean() ? 2400 : 900;
            }
            cols.put("fan" + f + "_rpm", v);
        }
        double[] watts = new double[n];
        double[] load = new double[n];
        for (int i = 0; i < n; i++) {
            boolean on = i >= load0 && i < load1;
            watts[i] = r.nextInt(30) == 0 ? Double.NaN : on ? 30 + r.nextDouble() : 3 + r.nextDouble();
            load[i] = on ? 0.97 : 0.04;
        }
        if (r.nextBoolean()) {
            cols.put("package_watts", watts);
        }
        if (r.nextBoolean()) {
            cols.put("cpu_load_ratio", load);
        }
        if (r.nextBoolean()) { // macOS clusters, a key that comes and goes, idle at 0 Hz
            for (String key : new String[] {"p0", "p1", "e"}) {
                double[] hz = new double[n];
                double[] active = new double[n];
                for (int i = 0; i < n; i++) {
                    boolean on = i >= load0 && i < load1;
                    hz[i] = r.nextInt(25) == 0 ? Double.NaN : !on && r.nextBoolean() ? 0 : (on ? 3.2e9 : 1.0e9) * (r.nextInt(8) == 0 ? 0.6 : 1);
                    active[i] = r.nextInt(25) == 0 ? Double.NaN : on ? 0.95 : 0.1;
                }
                cols.put("cluster_" + key + "_freq_hertz", hz);
                cols.put("cluster_" + key + "_active_ratio", active);
            }
        } else { // Linux CPUs
            for (int c = 0; c < 4; c++) {
                double[] hz = new double[n];
                for (int i = 0; i < n; i++) {
                    boolean on = i >= load0 && i < load1;
                    hz[i] = r.nextInt(25) == 0 ? Double.NaN : (on ? 3.5e9 : 1.2e9) * (r.nextInt(6) == 0 ? 0.5 : 1);
                }
                cols.put("cpu" + c + "_freq_hertz", hz);
            }
        }
        if (r.nextBoolean()) {
            double[] p = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = r.nextInt(10) == 0 ? Double.NaN : r.nextInt(5) == 0 ? 2 : 0;
            }
            cols.put("thermal_pressure_level", p);
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = T0.toEpochMilli() + i * 1000L; // 1 Hz
        }
        return new Trace(t, cols);
    }
}
