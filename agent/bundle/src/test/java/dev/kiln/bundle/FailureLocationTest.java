package dev.kiln.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureLocationTest {
    /** The fields that say where, in reading order and in words; others, nulls and empty values left out. */
    @Test
    void theFieldsThatSayWhereInReadingOrder() {
        Map<String, String> d = Map.of("phase", "each-core", "offset", "4096", "address", "0x7f00", "core", "3", "addressRange", "0x1..0x2",
                "expected", "0x0", "kernel", "", "path", "/dev/nvme0");
        assertEquals("core 3, address 0x7f00, address range 0x1..0x2, offset 4096, path /dev/nvme0, phase each-core",
                FailureLocation.describe(d::get, ", "));
        assertEquals("", FailureLocation.describe(k -> null, " · "));
    }
}
