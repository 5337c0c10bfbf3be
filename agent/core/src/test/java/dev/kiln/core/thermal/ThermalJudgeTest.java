package dev.kiln.core.thermal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Measurement;
import dev.kiln.core.platform.mac.Powermetrics;
import dev.kiln.core.runner.StageWindow;
import dev.kiln.core.thermal.ThermalJudge.Status;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Every check of the thermal judge on healthy and faulty traces: traces built from the real
 * powermetrics captures (fixtures/macos: M1, M2 Ultra Mac14,14, M4 Max) and synthetic Linux-style
 * traces (a throttling cluster, a stopped fan, a stuck sensor, a fast ramp, a slow cool-down, a
 * sensor out of line with its neighbours), and a healthy trace with short spikes that must not fail.
 */
class ThermalJudgeTest {
    private static final String M1_IDLE = "powermetrics-m1-macbookpro17_1-macos13.3-a.plist";
    private static final String M4_MAX = "powermetrics-m4max-mac16_5-macos26.2.plist";
    private static final String M2_ULTRA = "powermetrics-m2ultra-mac14_14-macos14.4.plist";
    private static final long T0 = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();

    static Map<String, Double> capture(String name) {
        try (InputStream in = ThermalJudgeTest.class.getResourceAsStream("/fixtures/macos/" + name)) {
            return Powermetrics.sample(in.readAllBytes());
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    /** A 1 Hz trace of {@code n} samples. */
    static Trace trace(int n, IntFunction<Map<String, Double>> sample) {
        List<Map<String, Double>> rows = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            Map<String, Double> s = sample.apply(i);
            rows.add(s);
            names.addAll(s.keySet());
        }
        long[] t = new long[n];
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (String c : names) {
            cols.put(c, new double[n]);
        }
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * 1000L;
            for (String c : names) {
                Double v = rows.get(i).get(c);
                cols.get(c)[i] = v == null ? Double.NaN : v;
            }
        }
        return new Trace(t, cols);
    }

    /** Baseline 0–60 s, together 60–360 s, cool-down 360–480 s. */
    static final List<StageWindow> STAGE = List.of(new StageWindow("together", at(0), at(60), at(360), at(480)));
    static final int N = 480;

    static Instant at(int s) {
        return Instant.ofEpochMilli(T0 + s * 1000L);
    }

    /** A healthy Linux machine: four cores 45 → 80 °C with a gentle ramp, two fans speeding up, clocks at 3.5 GHz. */
    static Map<String, Double> healthy(int i) {
        Map<String, Double> s = new LinkedHashMap<>();
        double temp;
        if (i < 60) {
            temp = 45;
        } else if (i < 360) {
            temp = 80 - 35 * Math.exp(-(i - 60) / 40.0);
        } else {
            temp = 45 + 35 * Math.exp(-(i - 360) / 20.0);
        }
        for (int c = 0; c < 4; c++) {
            s.put("hwmon_hwmon1_coretemp_core_" + c + "_celsius", temp + c * 0.5);
            s.put("cpu" + c + "_freq_hertz", i >= 60 && i < 360 ? 3.5e9 : 1.2e9);
            s.put("cpu" + c + "_max_freq_hertz", 3.6e9);
        }
        s.put("thermal_zone0_x86_pkg_temp_celsius", temp + 2);
        s.put("hwmon_hwmon2_nct6775_fan1_rpm", i >= 70 && i < 380 ? 2400.0 : 900.0);
        s.put("hwmon_hwmon2_nct6775_fan2_rpm", i >= 70 && i < 380 ? 2600.0 : 1000.0);
        return s;
    }

    /**
     * Judges the trace as it is in the heap and again written as CSV and read back spilled to a file
     * (a month-long trace's way): both judgements must be the same, check for check and figure for
     * figure, so every test here also proves the bounded-memory path judges as the heap one does.
     */
    static ThermalJudge.Judgement judge(Trace t, List<StageWindow> stages, ThermalLimits limits) {
        Map<Integer, String> clusters = Map.of(0, "performance", 1, "performance", 2, "performance", 3, "performance");
        ThermalJudge.Judgement inHeap = ThermalJudge.judge(t, stages, limits, clusters);
        if (t.damagedLines() > 0) {
            return inHeap; // written again as CSV, its damaged lines would be gone
        }
        try (Trace spilled = Trace.parse(new java.io.ByteArrayInputStream(csv(t).getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0)) {
            assertTrue(spilled.spilled());
            assertEquals(inHeap, ThermalJudge.judge(spilled, stages, limits, clusters), "the spilled trace is judged the same");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return inHeap;
    }

    /** The trace as telemetry.csv (NaN an empty cell; every double printed so it reads back exactly). */
    static String csv(Trace t) {
        StringBuilder b = new StringBuilder("timestamp");
        t.channels().forEach(c -> b.append(',').append(c));
        b.append('\n');
        List<double[]> cols = t.channels().stream().map(t::column).toList();
        for (int i = 0; i < t.size(); i++) {
            b.append(Instant.ofEpochMilli(t.millis(i)));
            for (double[] c : cols) {
                b.append(',');
                if (!Double.isNaN(c[i])) {
                    b.append(c[i]);
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    static ThermalJudge.Check check(ThermalJudge.Judgement j, String name) {
        return j.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static Map<String, Status> statuses(ThermalJudge.Judgement j) {
        Map<String, Status> m = new LinkedHashMap<>();
        j.checks().forEach(c -> m.put(c.name(), c.status()));
        return m;
    }

    @Test
    void aHealthyStagedTraceWithShortSpikesPassesEveryCheck() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i == 200 || i == 250) {
                s.put("hwmon_hwmon1_coretemp_core_2_celsius", 112.0); // one-sample spikes over the 100 °C limit
                s.put("cpu1_freq_hertz", 0.8e9); // and a one-sample dip
            }
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        Map<String, Status> st = statuses(j);
        assertEquals(Status.PASS, j.status(), j.checks().toString());
        for (String name : List.of("peak-temperature", "equilibrium-temperature", "throttling", "fans", "sensor-sanity", "heat-up-rate", "cool-down")) {
            assertEquals(Status.PASS, st.get(name), name + ": " + check(j, name).detail());
        }
        assertEquals(Status.SKIPPED, st.get("clock-floors"), "no SKU floor was given");
        assertEquals(Status.SKIPPED, st.get("thermal-pressure"), "Linux has no pressure level");
        assertTrue(check(j, "equilibrium-temperature").detail().startsWith("equilibrium after"), check(j, "equilibrium-temperature").detail());
        assertTrue(check(j, "cool-down").detail().contains("after the load"));
        // per-channel min/mean/max of everything
        assertTrue(j.channels().stream().anyMatch(m -> m.metadata().get("channel").equals("hwmon_hwmon2_nct6775_fan1_rpm")));
    }

    @Test
    void aSustainedPeakOverTheLimitFailsNamingSensorValueLimitAndHowLong() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 200 && i < 212) {
                s.put("thermal_zone0_x86_pkg_temp_celsius", 104.0);
            }
            return s;
        });
        ThermalJudge.Check c = check(judge(t, STAGE, ThermalLimits.NONE), "peak-temperature");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.detail().contains("thermal_zone0_x86_pkg_temp_celsius held 104.0 °C, above the limit of 100.0 °C, for 12 s"), c.detail());
    }

    @Test
    void aThrottlingClusterFailsOnItsShareOfTheHold() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 150 && i < 360) {
                for (int c = 0; c < 4; c++) {
                    s.put("cpu" + c + "_freq_hertz", 2.0e9); // 56 % of its 3.6 GHz for 210 s of 300
                }
            }
            return s;
        });
        ThermalJudge.Check c = check(judge(t, STAGE, ThermalLimits.NONE), "throttling");
        assertEquals(Status.FAIL, c.status());
        // the reference is the hold's own sustained all-core clock (3.5 GHz), not cpufreq's 3.6 GHz single-core maximum
        assertTrue(c.detail().contains("cluster performance ran under 85% of its sustained 3.50 GHz for 210 s (70% of its busy hold)"), c.detail());
        Measurement m = c.measurements().get(0);
        assertEquals(0.30, m.value(), 1e-9);
    }

    @Test
    void aStoppedFanAndAFanThatNeverSpeedsUpFail() {
        Trace stopped = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 100 && i < 200) {
                s.put("hwmon_hwmon2_nct6775_fan2_rpm", 0.0);
            }
            return s;
        });
        ThermalJudge.Check c = check(judge(stopped, STAGE, ThermalLimits.NONE), "fans");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.detail().contains("hwmon_hwmon2_nct6775_fan2_rpm stopped for 100 s under load"), c.detail());

        Trace flat = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            s.put("hwmon_hwmon2_nct6775_fan1_rpm", 900.0);
            s.put("hwmon_hwmon2_nct6775_fan2_rpm", 1000.0);
            return s;
        });
        ThermalJudge.Check f = check(judge(flat, STAGE, ThermalLimits.NONE), "fans");
        assertEquals(Status.FAIL, f.status());
        assertTrue(f.detail().matches("no fan sped up while \\S+_celsius rose 35\\.0 °C under load"), f.detail());
    }

    @Test
    void aStuckSensorAnImpossibleValueAndAnOutlierFailSensorSanity() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            s.put("hwmon_hwmon1_coretemp_core_1_celsius", 47.0); // stuck while the others rise 35 °C
            if (i == 10 || i == 300) {
                s.put("thermal_zone0_x86_pkg_temp_celsius", -273.0);
            }
            return s;
        });
        ThermalJudge.Check c = check(judge(t, STAGE, ThermalLimits.NONE), "sensor-sanity");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.detail().contains("hwmon_hwmon1_coretemp_core_1_celsius read 47.0 °C throughout"), c.detail());
        assertTrue(c.detail().contains("thermal_zone0_x86_pkg_temp_celsius read impossible values (-273.0) in 2 samples"), c.detail());
        // the stuck core is also 25 °C away from its three neighbours' median
        assertTrue(c.detail().contains("hwmon_hwmon1_coretemp_core_1_celsius averaged"), c.detail());
        // the impossible readings are not a 'temperature' anywhere else
        assertEquals(Status.PASS, check(judge(t, STAGE, ThermalLimits.NONE), "peak-temperature").status());
    }

    @Test
    void aSensorThatDisappearsMidHoldIsSaidAndItsChecksCannotPass() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 200) {
                s.remove("thermal_zone0_x86_pkg_temp_celsius");
            }
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        ThermalJudge.Check c = check(j, "sensor-sanity");
        assertEquals(Status.PASS, c.status(), c.detail());
        assertTrue(c.detail().contains("thermal_zone0_x86_pkg_temp_celsius stopped reporting 160 s before the end of the load"), c.detail());
        ThermalJudge.Check peak = check(j, "peak-temperature");
        assertEquals(Status.INSUFFICIENT, peak.status(), peak.detail());
        assertTrue(peak.detail().startsWith("thermal_zone0_x86_pkg_temp_celsius read in only 46% of the hold (the floor is 90%)"), peak.detail());
        assertEquals(Status.INSUFFICIENT, j.status());
        assertTrue(j.reason().contains("peak-temperature: thermal_zone0_x86_pkg_temp_celsius read in only 46%"), j.reason());
    }

    @Test
    void coverageFloorsAChannelVanishingAt5And50PercentOfTheHoldCannotPassAt95ItCan() {
        for (int pct : new int[] {5, 50, 95}) {
            int gone = 60 + 300 * pct / 100;
            Trace t = trace(N, i -> {
                Map<String, Double> s = healthy(i);
                if (i >= gone) {
                    s.remove("hwmon_hwmon1_coretemp_core_3_celsius");
                    s.remove("hwmon_hwmon2_nct6775_fan1_rpm");
                }
                return s;
            });
            ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
            Map<String, Status> st = statuses(j);
            Status expected = pct < 90 ? Status.INSUFFICIENT : Status.PASS;
            for (String name : List.of("peak-temperature", "equilibrium-temperature", "fans")) {
                assertEquals(expected, st.get(name), pct + "%: " + name + ": " + check(j, name).detail());
            }
            assertEquals(expected, j.status(), pct + "%: " + j.reason());
            Measurement cov = check(j, "peak-temperature").measurements().stream().filter(m -> m.name().equals("check_coverage_ratio"))
                    .findFirst().orElseThrow();
            assertEquals(pct / 100.0, cov.value(), 0.01, "the coverage is the vanished channel's share of the hold");
            assertEquals("hwmon_hwmon1_coretemp_core_3_celsius", cov.metadata().get("channel"));
        }
        // a limit breached on what was read still fails: short evidence never hides a FAIL
        Trace hot = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 100 && i < 120) {
                s.put("hwmon_hwmon1_coretemp_core_3_celsius", 104.0);
            }
            if (i >= 120) {
                s.remove("hwmon_hwmon1_coretemp_core_3_celsius");
            }
            return s;
        });
        assertEquals(Status.FAIL, check(judge(hot, STAGE, ThermalLimits.NONE), "peak-temperature").status());
    }

    @Test
    void aSamplerThatDiedMidStageLeavesTooLittleInTimeToPass() {
        // powermetrics (clocks, pressure) dies 60 s into a 300-s hold; the temperatures go on
        Map<String, Double> loaded = capture(M4_MAX);
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i < 120) {
                s.putAll(loaded);
            }
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        assertEquals(Status.INSUFFICIENT, check(j, "thermal-pressure").status(), check(j, "thermal-pressure").detail());
        assertTrue(check(j, "thermal-pressure").detail().startsWith("thermal_pressure_level read in only 20% of the hold"));
        assertEquals(Status.INSUFFICIENT, j.status(), "pressure judged on a fifth of the hold cannot pass");
        // the whole trace stops 100 s into the hold (the sampler itself died): coverage is counted in time, not in rows
        Trace cut = trace(160, ThermalJudgeTest::healthy);
        ThermalJudge.Judgement k = judge(cut, STAGE, ThermalLimits.NONE);
        assertEquals(Status.INSUFFICIENT, check(k, "peak-temperature").status(), check(k, "peak-temperature").detail());
        assertEquals(Status.INSUFFICIENT, k.status(), k.reason());
        assertEquals(Status.INSUFFICIENT, check(k, "cool-down").status(), "a cool-down with no reading is not 'no cool-down'");
    }

    @Test
    void powerAndClocksAloneNeverMakeAHeatPass() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("cpu_power_watts", i >= 60 && i < 360 ? 40.0 : 3.0);
            s.put("combined_power_watts", i >= 60 && i < 360 ? 60.0 : 5.0);
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        assertEquals(Status.PASS, check(j, "sensor-sanity").status());
        assertEquals(Status.INSUFFICIENT, j.status());
        assertTrue(j.reason().contains(ThermalJudge.NO_TEMPERATURE), j.reason());
    }

    @Test
    void equilibriumWithNoSensorReadingInTheHoldIsNeverAPass() {
        Trace t = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>();
            if (i < 60 || i >= 360) {
                s.put("thermal_zone0_x86_pkg_temp_celsius", 45.0); // read while idle, never under load
            }
            s.put("cpu_load_ratio", i >= 60 && i < 360 ? 1.0 : 0.02);
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        assertEquals(Status.INSUFFICIENT, check(j, "equilibrium-temperature").status(), check(j, "equilibrium-temperature").detail());
        assertEquals(Status.INSUFFICIENT, check(j, "peak-temperature").status(), check(j, "peak-temperature").detail());
        assertEquals(Status.INSUFFICIENT, j.status());
    }

    @Test
    void aStuckSensorThatIsTheOnlyOrTheHottestOneFailsOnIndependentEvidence() {
        // the only sensor, flat at 52 °C, while the package power steps from 4 W to 38 W
        Trace only = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("smc_tp01_celsius", 52.0);
            s.put("cpu_power_watts", i >= 60 && i < 360 ? 38.0 : 4.0);
            return s;
        });
        ThermalJudge.Check c = check(judge(only, STAGE, ThermalLimits.NONE), "sensor-sanity");
        assertEquals(Status.FAIL, c.status(), c.detail());
        assertTrue(c.detail().contains("smc_tp01_celsius read 52.0 °C throughout while cpu_power_watts rose from 4.0 W to 38.0 W: stuck"),
                c.detail());
        // the hottest, flat at 88 °C, while a cooler sensor rises 40 -> 70 °C
        Trace hottest = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("smc_tp01_celsius", 88.0);
            s.put("smc_tp05_celsius", i < 60 ? 40 : i < 360 ? 70 - 30 * Math.exp(-(i - 60) / 30.0) : 40 + 30 * Math.exp(-(i - 360) / 20.0));
            return s;
        });
        ThermalJudge.Check h = check(judge(hottest, STAGE, ThermalLimits.NONE), "sensor-sanity");
        assertEquals(Status.FAIL, h.status(), h.detail());
        assertTrue(h.detail().contains("smc_tp01_celsius read 88.0 °C throughout while smc_tp05_celsius rose"), h.detail());
        // and by the busy share alone
        Trace busy = trace(N, i -> Map.of("smc_tp01_celsius", 50.0, "cluster_p0_active_ratio", i >= 60 && i < 360 ? 0.98 : 0.05));
        assertEquals(Status.FAIL, check(judge(busy, STAGE, ThermalLimits.NONE), "sensor-sanity").status());
        // no load step anywhere: a flat sensor is only flat
        Trace idle = trace(N, i -> Map.of("smc_tp01_celsius", 50.0, "cpu_power_watts", 4.0));
        assertEquals(Status.PASS, check(judge(idle, STAGE, ThermalLimits.NONE), "sensor-sanity").status());
    }

    @Test
    void aTemperatureStillClimbingAtTheHoldsEndOnACourseOverTheLimitIsARunaway() {
        // 45 °C, then a straight line at 9 °C/min to 90 °C at the end of the 300-s hold: under the peak limit, never settling
        Trace t = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            double temp = i < 60 ? 45 : i < 360 ? 45 + (i - 60) * 0.15 : 90 - (i - 360) * 0.4;
            s.put("thermal_zone0_x86_pkg_temp_celsius", Math.max(45, temp));
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        assertEquals(Status.PASS, check(j, "peak-temperature").status(), "it never reached the limit");
        ThermalJudge.Check e = check(j, "equilibrium-temperature");
        assertEquals(Status.FAIL, e.status(), e.detail());
        assertTrue(e.detail().contains("thermal_zone0_x86_pkg_temp_celsius was still rising 9.0 °C/min at the end of the hold"), e.detail());
        assertTrue(e.detail().contains("a runaway"), e.detail());
        // the same climb slowed to 1.2 °C/min from 80 °C would take 17 min to reach 100 °C: longer than the 5-min stage, said, not failed
        Trace slow = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 60 && i < 360) {
                s.put("thermal_zone0_x86_pkg_temp_celsius", 74 + (i - 60) * 0.02);
            }
            return s;
        });
        ThermalJudge.Check ok = check(judge(slow, STAGE, ThermalLimits.NONE), "equilibrium-temperature");
        assertEquals(Status.PASS, ok.status(), ok.detail());
        assertTrue(ok.measurements().stream().anyMatch(m -> m.name().equals("end_of_hold_slope_celsius_per_minute")));
    }

    /**
     * The M4 Pro text capture's clusters and GPU as channels: a powered-down P0 (0 MHz, 100 % down),
     * a mostly idle E and P1, the GPU at 338 MHz (test-side decoding of the text format; the agent
     * reads the plist format).
     */
    static Map<String, Double> m4ProText() {
        Map<String, Double> s = new LinkedHashMap<>();
        try (InputStream in = ThermalJudgeTest.class.getResourceAsStream("/fixtures/macos/powermetrics-text-m4pro14core-2026-04-04.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                java.util.regex.Matcher f = java.util.regex.Pattern.compile("^(\\S+)-Cluster HW active frequency: (\\d+) MHz").matcher(line);
                java.util.regex.Matcher a = java.util.regex.Pattern.compile("^(\\S+)-Cluster HW active residency: +([\\d.]+)%").matcher(line);
                java.util.regex.Matcher g = java.util.regex.Pattern.compile("^GPU HW active (frequency|residency): +([\\d.]+)").matcher(line);
                if (f.find()) {
                    s.put("cluster_" + f.group(1).toLowerCase(java.util.Locale.ROOT) + "_freq_hertz", Double.parseDouble(f.group(2)) * 1e6);
                } else if (a.find()) {
                    s.put("cluster_" + a.group(1).toLowerCase(java.util.Locale.ROOT) + "_active_ratio", Double.parseDouble(a.group(2)) / 100);
                } else if (g.find()) {
                    s.put(g.group(1).equals("frequency") ? "gpu_freq_hertz" : "gpu_active_ratio",
                            Double.parseDouble(g.group(2)) * (g.group(1).equals("frequency") ? 1e6 : 0.01));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    @Test
    void aMacWithPoweredDownClustersAndAnIdleGpuAt0MhzPasses() {
        Map<String, Double> idle = m4ProText();
        assertEquals(0.0, idle.get("cluster_p0_freq_hertz"), "the capture's P0 is powered down at 0 MHz");
        Map<String, Double> loaded = capture(M4_MAX); // P0 busy, P1 powered down
        Trace t = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>(i < 60 || i >= 360 ? idle : loaded);
            s.put("gpu_freq_hertz", i < 60 || i >= 360 ? 0.0 : 1.36e9); // an idle GPU reads 0 MHz too
            double temp = i < 60 ? 42 : i < 360 ? 78 - 36 * Math.exp(-(i - 60) / 30.0) : 42 + 36 * Math.exp(-(i - 360) / 25.0);
            s.put("smc_tp01_celsius", temp);
            s.put("smc_tp05_celsius", temp - 1.5);
            s.put("smc_tg0g_celsius", temp - 6);
            s.put("thermal_pressure_level", 0.0);
            return s;
        });
        ThermalJudge.Judgement j = judge(t, STAGE, ThermalLimits.NONE);
        ThermalJudge.Check sanity = check(j, "sensor-sanity");
        assertEquals(Status.PASS, sanity.status(), "0 MHz is idle or powered down, never impossible: " + sanity.detail());
        assertEquals(Status.PASS, check(j, "throttling").status(), check(j, "throttling").detail());
        assertEquals(Status.PASS, j.status(), j.reason() + " / " + j.checks());
        // a 0-MHz reading is excluded from clock statistics: a SKU floor on the busy P clusters still passes
        ThermalLimits floor = new ThermalLimits(null, null, 2.5e9, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null);
        assertEquals(Status.PASS, check(judge(t, STAGE, floor), "clock-floors").status());
    }

    @Test
    void aFastRampFailsHeatUpAndASlowCoolDownFails() {
        // poor contact: 45 °C to 108 °C within 50 s of the load starting, and it stays there
        Trace ramp = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            double temp = i < 60 ? 45 : i < 360 ? Math.min(108, 45 + (i - 60) * 1.26) : 45 + 63 * Math.exp(-(i - 360) / 20.0);
            s.put("thermal_zone0_x86_pkg_temp_celsius", temp);
            return s;
        });
        ThermalJudge.Check h = check(judge(ramp, STAGE, ThermalLimits.NONE), "heat-up-rate");
        assertEquals(Status.FAIL, h.status(), h.detail());
        assertTrue(h.detail().contains("faster than 1.00 °C/s: poor contact"), h.detail());
        // a healthy die's step: 30 °C in two seconds as the load starts, then a slow climb of 8 °C: not poor contact
        Trace step = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            double temp = i < 60 ? 45 : i < 62 ? 45 + (i - 59) * 10 : i < 360 ? 75 + 8 * (1 - Math.exp(-(i - 62) / 60.0)) : 50;
            s.put("thermal_zone0_x86_pkg_temp_celsius", temp);
            return s;
        });
        ThermalJudge.Check ok = check(judge(step, STAGE, ThermalLimits.NONE), "heat-up-rate");
        assertEquals(Status.PASS, ok.status(), ok.detail());

        Trace slow = trace(N, i -> {
            Map<String, Double> s = healthy(i);
            if (i >= 360) {
                s.put("thermal_zone0_x86_pkg_temp_celsius", 82 - (i - 360) * 0.05); // still 76 °C after two minutes
            }
            return s;
        });
        ThermalJudge.Check c = check(judge(slow, STAGE, new ThermalLimits(null, null, null, null, null, null, null, null, null, null,
                null, null, "1m", null, null, null, null, null)), "cool-down");
        assertEquals(Status.FAIL, c.status());
        assertTrue(c.detail().contains("still") && c.detail().contains("(limit 1m)"), c.detail());
        // with the default ten minutes, a two-minute cool-down cannot tell: skipped, never passed
        assertEquals(Status.SKIPPED, check(judge(slow, STAGE, ThermalLimits.NONE), "cool-down").status());
    }

    @Test
    void aStagedTraceFromTheRealCapturesIsJudgedOnPressureAndClocks() {
        Map<String, Double> idle = capture(M1_IDLE);
        Map<String, Double> loaded = capture(M4_MAX);
        Trace healthy = trace(N, i -> i < 60 || i >= 360 ? idle : loaded);
        ThermalJudge.Judgement j = judge(healthy, STAGE, ThermalLimits.NONE);
        assertEquals(Status.PASS, check(j, "thermal-pressure").status());
        assertEquals(Status.PASS, check(j, "throttling").status(), check(j, "throttling").detail());
        assertEquals(Status.PASS, check(j, "sensor-sanity").status());
        // powermetrics gives no temperatures: those checks are skipped with the reason, and the heat cannot pass blind
        assertEquals(Status.SKIPPED, check(j, "peak-temperature").status());
        assertEquals("no temperature sensor gave a reading", check(j, "peak-temperature").detail());
        assertEquals(Status.INSUFFICIENT, j.status());
        assertTrue(j.reason().contains(ThermalJudge.NO_TEMPERATURE), j.reason());

        Trace heavy = trace(N, i -> {
            Map<String, Double> s = new LinkedHashMap<>(i < 60 || i >= 360 ? idle : loaded);
            if (i >= 200 && i < 360) {
                s.put("thermal_pressure_level", 2.0); // Heavy for 160 s of the 300-s hold
            }
            return s;
        });
        ThermalJudge.Check p = check(judge(heavy, STAGE, ThermalLimits.NONE), "thermal-pressure");
        assertEquals(Status.FAIL, p.status());
        assertTrue(p.detail().contains("thermal pressure above level 1 for 160 s (53% of the hold), more than 10%"), p.detail());
    }

    @Test
    void skuFloorsAreJudgedPerClusterOnTheRealCaptures() {
        ThermalLimits floor3 = new ThermalLimits(null, null, 3.0e9, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        // M4 Max: P0 busy (73 %) at 3.56 GHz; P1 powered down; the E-cluster and the GPU are not held to it
        ThermalJudge.Check m4 = check(judge(trace(10, i -> capture(M4_MAX)), List.of(), floor3), "clock-floors");
        assertEquals(Status.PASS, m4.status(), m4.detail());
        assertEquals(List.of("cluster_p0_sustained_clock_hertz", "check_coverage_ratio"), m4.measurements().stream().map(Measurement::name).toList());
        assertEquals(3560870000.0, m4.measurements().get(0).value());
        // M2 Ultra: no performance cluster busy: skipped with the reason, never a false FAIL of an idle clock
        ThermalJudge.Check m2 = check(judge(trace(10, i -> capture(M2_ULTRA)), List.of(), floor3), "clock-floors");
        assertEquals(Status.SKIPPED, m2.status());
        assertTrue(m2.detail().contains("no performance cluster was busy (at least 50% active)"), m2.detail());
        ThermalLimits eFloor = new ThermalLimits(null, null, Map.of("efficiency", 0.8e9), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
        assertEquals(Status.PASS, check(judge(trace(10, i -> capture(M2_ULTRA)), List.of(), eFloor), "clock-floors").status());
        // a throttled P0 fails naming the cluster
        Trace throttled = trace(10, i -> {
            Map<String, Double> s = new LinkedHashMap<>(capture(M4_MAX));
            s.put("cluster_p0_freq_hertz", i < 2 ? 3.5e9 : 2.1e9);
            return s;
        });
        ThermalJudge.Check t = check(judge(throttled, List.of(), floor3), "clock-floors");
        assertEquals(Status.FAIL, t.status());
        assertTrue(t.detail().contains("cluster p0 sustained 2.10 GHz, under its floor of 3.00 GHz"), t.detail());
    }

    @Test
    void withoutAnySensorNothingIsJudgedAndTheJudgementIsSkipped() {
        ThermalJudge.Judgement j = judge(trace(100, i -> Map.of("cpu_load_ratio", 0.9)), STAGE, ThermalLimits.NONE);
        assertEquals(Status.SKIPPED, j.status());
        assertTrue(j.checks().stream().allMatch(c -> c.status() == Status.SKIPPED && !c.detail().isEmpty()));
    }

    @Test
    void contradictoryOrOutOfRangeThresholdsAreNamed() {
        assertEquals("maxEquilibriumCelsius", new ThermalLimits(90.0, 95.0, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null).check().field());
        assertEquals("clockShare", new ThermalLimits(null, null, null, 1.5, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null).check().field());
        assertEquals("maxThermalPressure", new ThermalLimits(null, null, null, null, null, 7, null, null, null, null, null, null, null, null,
                null, null, null, null).check().field());
        assertEquals("equilibriumWindow", new ThermalLimits(null, null, null, null, null, null, null, null, "soon", null, null, null, null,
                null, null, null, null, null).check().field());
        assertNull(ThermalLimits.DEFAULTS.check());
    }

    @Test
    void theCsvReaderSkipsDamagedLinesCountsThemAndTheJudgeSaysSo() {
        Trace t = Trace.parse("timestamp,a_celsius,b_rpm\n2026-11-29T00:00:00Z,40,900\n2026-11-29T00:00:01Z,4x,\n"
                + "2026-11-29T00:00:02Z,,910\n2026-11-29T00:00:03Z,4");
        assertEquals(2, t.size(), "the torn last line and the damaged middle one are skipped, the rest stands");
        assertTrue(Double.isNaN(t.column("a_celsius")[1]));
        assertEquals(2, t.damagedLines());
        assertEquals(3, t.firstDamagedLine());
        ThermalJudge.Check c = check(judge(t, List.of(), ThermalLimits.NONE), "sensor-sanity");
        assertTrue(c.detail().contains("2 damaged line(s) of the trace skipped (the first at line 3)"), c.detail());
        assertThrows(IllegalArgumentException.class, () -> Trace.parse("a_celsius\n40\n"));
        assertEquals(0, Trace.parse("timestamp\n").size());
    }

    @Test
    void withoutAStageIdleClocksAndQuietFansAreNotJudgedAsUnderLoad() {
        // suites one at a time with idle gaps: Linux clocks drop and a fan stops between them
        Trace t = trace(120, i -> {
            Map<String, Double> s = new LinkedHashMap<>();
            boolean gap = i % 40 >= 30;
            s.put("cpu0_freq_hertz", gap ? 0.8e9 : 3.5e9);
            s.put("cpu0_max_freq_hertz", 3.6e9);
            s.put("hwmon_hwmon2_nct6775_fan1_rpm", gap ? 0.0 : 1500.0);
            return s;
        });
        ThermalJudge.Judgement j = judge(t, List.of(), ThermalLimits.NONE);
        assertEquals(Status.SKIPPED, check(j, "throttling").status());
        assertEquals(Status.SKIPPED, check(j, "fans").status());
        assertTrue(check(j, "throttling").detail().contains("no window known to be under load"));
    }
}
