package dev.kiln.core.thermal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live heat guard on sample streams, and the same rule on a recorded trace. */
class HeatGuardTest {
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

    private static Map<String, Double> s(double soc, double other) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("smc_Tp01_celsius", soc);
        m.put("smc_Tg05_celsius", other);
        m.put("smc_F0Ac_rpm", 4000.0);
        return m;
    }

    @Test
    void tripsOnceWhenASensorHoldsPastTheLimitForTheBreachTimeNeverOnShortSpikes() {
        List<HeatGuard.Trip> trips = new ArrayList<>();
        HeatGuard g = new HeatGuard(110, 5, 1, trips::add);
        double[] soc = {90, 112, 113, 90, 115, 90, 111, 112, 113, 114, 116, 117, 118};
        for (int i = 0; i < soc.length; i++) {
            g.sample(T0.plusSeconds(i), s(soc[i], 60));
            if (i < 10) {
                assertNull(g.tripped(), "no 5 readings in a row over 110 °C yet at " + i);
            }
        }
        assertEquals(1, trips.size(), "once, however long it stays hot");
        HeatGuard.Trip t = trips.get(0);
        assertEquals("smc_Tp01_celsius", t.channel());
        assertEquals(111.0, t.celsius(), "the lowest reading of the breach");
        assertEquals(5.0, t.seconds());
        assertEquals(T0.plusSeconds(10), t.at());
        assertTrue(t.words().startsWith("smc_Tp01_celsius held above 110.0 °C (at least 111.0 °C) for 5 s"), t.words());
        SuiteResult r = t.result(T0);
        assertEquals(Outcome.FAIL, r.outcome());
        assertEquals(HeatGuard.ID, r.suiteId());
        assertEquals(HeatGuard.SYMPTOM, r.failures().get(0).symptom());
        assertEquals(111.0, r.failures().get(0).details().get("celsius"));
    }

    @Test
    void aMissingReadingAnImpossibleValueOrAFanAreNotABreach() {
        HeatGuard g = new HeatGuard(110, 3, 1, t -> { });
        g.sample(T0, s(120, 60));
        g.sample(T0.plusSeconds(1), s(120, 60));
        Map<String, Double> gap = s(120, 60);
        gap.remove("smc_Tp01_celsius");
        g.sample(T0.plusSeconds(2), gap); // the sensor missed a reading: the run starts over
        g.sample(T0.plusSeconds(3), s(120, 60));
        g.sample(T0.plusSeconds(4), s(120, 60));
        assertNull(g.tripped());
        for (int i = 5; i < 10; i++) {
            g.sample(T0.plusSeconds(i), s(60, 400)); // 400 °C is a broken sensor, not heat (sensor-sanity says so)
        }
        assertNull(g.tripped());
        HeatGuard fast = new HeatGuard(110, 3, 0.5, t -> { });
        for (int i = 0; i < 5; i++) {
            fast.sample(T0.plusMillis(500L * i), s(60, 111));
        }
        assertNull(fast.tripped(), "at 2 Hz, 3 s is 6 readings");
        fast.sample(T0.plusMillis(2500), s(60, 111));
        assertNotNull(fast.tripped());
        assertEquals("smc_Tg05_celsius", fast.tripped().channel());
    }

    @Test
    void theSameRuleFindsABreachInARecordedTrace() {
        Trace hot = ThermalJudgeTest.trace(60, i -> s(i < 40 ? 80 : 40 + i * 1.5, 60)); // 113.5 °C from 49 s, 123.5 at the end
        HeatGuard.Trip t = HeatGuard.breach(hot, 110, 5);
        assertNotNull(t);
        assertEquals("smc_Tp01_celsius", t.channel());
        assertNull(HeatGuard.breach(ThermalJudgeTest.trace(60, i -> s(105, 60)), 110, 5));
    }

    @Test
    void aTraceReadALineAtATimeFindsTheSameBreachAsTheWholeTraceAndSaysItWasFoundAfterwards() throws Exception {
        // a channel that appears late (the header restated), a torn line, then a breach on the late channel
        StringBuilder csv = new StringBuilder("timestamp,smc_Tp01_celsius\n");
        for (int i = 0; i < 10; i++) {
            csv.append(T0.plusSeconds(i)).append(",70\n");
        }
        csv.append("timestamp,smc_Tp01_celsius,hid_pmu_tdie1_celsius\n");
        csv.append(T0.plusSeconds(10)).append(",7x,80\n"); // damaged: skipped
        for (int i = 11; i < 30; i++) {
            csv.append(T0.plusSeconds(i)).append(",72,").append(i < 20 ? 90 : 115).append('\n');
        }
        HeatGuard.Trip streamed = HeatGuard.breach(new java.io.ByteArrayInputStream(csv.toString().getBytes()), 110, 5);
        HeatGuard.Trip whole = HeatGuard.breach(Trace.parse(csv.toString()), 110, 5);
        assertNotNull(streamed);
        assertEquals(whole, streamed);
        assertEquals("hid_pmu_tdie1_celsius", streamed.channel());
        assertEquals(T0.plusSeconds(24), streamed.at(), "the fifth reading over the limit");
        assertTrue(!streamed.live() && streamed.words().contains("found in the trace of a run that stopped without ending"),
                "a breach found afterwards never claims the load was stopped: " + streamed.words());
        assertNull(HeatGuard.breach(new java.io.ByteArrayInputStream(("timestamp,smc_Tp01_celsius\n" + T0 + ",120\n").getBytes()), 110, 5), "one reading is no breach");
    }
}
