package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    }
}
