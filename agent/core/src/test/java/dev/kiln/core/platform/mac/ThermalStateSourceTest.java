package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** macOS's thermal state on the judge's pressure scale; where there is no Objective-C runtime, a reason, not a crash. */
class ThermalStateSourceTest {
    @Test
    void nsProcessInfoThermalStatesKeepTheirRankOnThePressureScale() {
        assertEquals(0.0, ThermalStateSource.level(0), "nominal");
        assertEquals(1.0, ThermalStateSource.level(1), "fair: Moderate, the judge's default allowance");
        assertEquals(2.0, ThermalStateSource.level(2), "serious: Heavy, over the default allowance");
        assertEquals(3.0, ThermalStateSource.level(3), "critical");
        assertNull(ThermalStateSource.level(4));
        assertNull(ThermalStateSource.level(-1));
    }

    @Test
    void withoutTheObjectiveCRuntimeOpeningFailsWithAReason() {
        assumeFalse(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac"), "a Mac has it");
        assertThrows(IOException.class, ThermalStateSource::open);
    }
}
