package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeedsTest {
    @Test
    void formatAndParseRoundTrip() {
        for (long s : new long[] {0, 1, -1, Long.MIN_VALUE, 0x5EEDL, 0x8000000000000001L}) {
            assertEquals(s, Seeds.parse(Seeds.format(s)));
        }
        assertEquals(42, Seeds.parse("42"));
        assertEquals(0xABCDL, Seeds.parse("0xabcd"));
    }

    @Test
    void malformedSeedsAreRejected() {
        for (String bad : new String[] {"", "x12", "0x", "0x1234567890abcdef0", "12.5", "ten"}) {
            assertThrows(IllegalArgumentException.class, () -> Seeds.parse(bad), bad);
        }
    }

    @Test
    void derivedStreamsDependOnEveryPartOfThePath() {
        long a = Seeds.derive(1, "cpu", "all-cores", "0");
        assertEquals(a, Seeds.derive(1, "cpu", "all-cores", "0"));
        assertNotEquals(a, Seeds.derive(2, "cpu", "all-cores", "0"));
        assertNotEquals(a, Seeds.derive(1, "cpu", "all-cores", "1"));
        assertNotEquals(Seeds.derive(1, "ab", "c"), Seeds.derive(1, "a", "bc"));
    }

    @Test
    void recordingRandomDigestsEveryDraw() {
        RecordingRandom a = new RecordingRandom(9);
        RecordingRandom b = new RecordingRandom(9);
        a.nextInt(10);
        b.nextInt(10);
        assertEquals(a.digest(), b.digest());
        a.nextDouble();
        assertNotEquals(a.digest(), b.digest());
        b.nextDouble();
        assertEquals(a.digest(), b.digest());
        b.nextBytes(new byte[3]);
        assertNotEquals(a.digest(), b.digest());
    }

    @Test
    void faultPlansParse() {
        FaultPlan f = FaultPlan.parse("cpu:sha256@1:3/each-core");
        assertEquals(new FaultPlan("cpu", "sha256", 1, "each-core", 3), f);
        assertEquals(new FaultPlan("memory", "*", -1, null, 0), FaultPlan.parse("memory:*@-1:0"));
        assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse("cpu:sha256"));
        // an intermittent defect: any iteration, a chance each time the site is asked
        assertEquals(new FaultPlan("cpu", "crc32c", 1, "all-cores", -1, 0.001), FaultPlan.parse("cpu:crc32c@1:*~0.001/all-cores"));
        for (String bad : new String[] {"cpu:crc32c@1:*~0/all-cores", "cpu:crc32c@1:*~1.5", "cpu:crc32c@1:*~x"}) {
            assertThrows(IllegalArgumentException.class, () -> FaultPlan.parse(bad), bad);
        }
        FaultPlan any = new FaultPlan("cpu", "crc32c", 1, null, -1);
        assertTrue(any.matches("cpu", "crc32c", 1, 0, "each-core", 7) && any.matches("cpu", "crc32c", 1, 0, "all-cores", 1), "any iteration, any phase");
        FaultPlan rare = new FaultPlan("cpu", "crc32c", 1, null, -1, 0.25);
        int fired = 0;
        for (int i = 0; i < 40_000; i++) {
            fired += rare.matches("cpu", "crc32c", 1, 0, "all-cores", i) ? 1 : 0;
        }
        assertTrue(fired > 9_000 && fired < 11_000, "about a quarter of the asks: " + fired);
        assertFalse(rare.matches("cpu", "sha256", 1, 0, "all-cores", 1), "never at another site");
    }
}
