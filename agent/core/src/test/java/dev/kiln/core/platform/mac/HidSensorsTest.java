package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The IOHID temperature services of a real M1 Mac mini listing (fixtures/macos, SOURCES.md) as channels. */
class HidSensorsTest {
    @Test
    void theCapturedListingBecomesChannelsWithoutItsConstantsAndUnusedSlots() {
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String l : MacParsersTest.text("iohid-temps-m1-macmini9_1-apple_sensors-fragment.txt").split("\n")) {
            String[] p = l.split("\\|");
            if (p.length == 2) {
                names.add(p[0].trim());
                values.add(Double.parseDouble(p[1].trim()));
            }
        }
        assertEquals(36, names.size());
        names.add("PMU tdie1"); // the same name twice: its first service stays
        values.add(99.0);
        Map<String, Integer> chosen = HidSensors.select(names, values.stream().mapToDouble(Double::doubleValue).toArray());
        assertEquals(32, chosen.size(), "36 services less tcal, TR0Z and the two unused tdev at -21.5: " + chosen.keySet());
        assertTrue(chosen.containsKey("hid_pmu_tdie1_celsius") && chosen.containsKey("hid_gpu_mtr_temp_sensor4_celsius")
                && chosen.containsKey("hid_pmgr_soc_die_temp_sensor0_celsius"), chosen.keySet().toString());
        assertFalse(chosen.containsKey("hid_pmu_tcal_celsius") || chosen.containsKey("hid_pmu2_tr0z_celsius")
                || chosen.containsKey("hid_pmu_tdev4_celsius"));
        assertEquals(names.indexOf("PMU tdie1"), chosen.get("hid_pmu_tdie1_celsius"));
        assertNull(HidSensors.channel("  "));
    }

    @Test
    void withoutIoKitOpeningFailsWithAReason() {
        assumeFalse(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac"), "a Mac has it");
        IOException e = assertThrows(IOException.class, HidTemperatureSource::open);
        assertTrue(e.getMessage().startsWith("IOKit cannot be loaded"), e.getMessage());
    }
}
