package dev.kiln.suites.selftest;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.kit.SuiteCompatibilityKit;
import dev.kiln.core.runner.RunOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/** The kit's seed check can fail: a suite that checks its work but ignores the run seed does not pass it. */
class KitSeedCheckTest {
    private static RunOptions options(long seed) {
        return RunOptions.defaults(seed).withHangTimeout(Duration.ofSeconds(20));
    }

    @Test
    @Timeout(60)
    void aSuiteThatIgnoresTheSeedFailsTheKit() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> SuiteCompatibilityKit.assertSeedDrivesTheWork(SeedBlindSuite::new, Map.of(), KitSeedCheckTest::options));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("ctx.random()"), e.getMessage());
    }

    @Test
    @Timeout(60)
    void aSuiteThatUsesTheSeedPassesIt() {
        SuiteCompatibilityKit.assertSeedDrivesTheWork(PassSuite::new, Map.of(), KitSeedCheckTest::options);
    }
}
