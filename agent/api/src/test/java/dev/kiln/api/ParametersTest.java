package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ParametersTest {
    private static long bytes(String v) {
        return new Parameters(Map.of("size", v)).getBytes("size");
    }

    @Test
    void sizesInBinaryUnits() {
        assertEquals(512, bytes("512"));
        assertEquals(512, bytes("512b"));
        assertEquals(64L << 10, bytes("64KiB"));
        assertEquals(256L << 20, bytes(" 256 mib "));
        assertEquals(4L << 30, bytes("4GiB"));
        assertEquals(1L << 40, bytes("1TiB"));
    }

    @Test
    void malformedOrOutOfRangeSizesAreRefused() {
        for (String bad : new String[] {"", "lots", "12 apples", "-1MiB", "0", "0GiB", "1.5GiB", "8388608TiB", "99999999999999999999"}) {
            Parameters.InvalidParameterException e = assertThrows(Parameters.InvalidParameterException.class, () -> bytes(bad), bad);
            assertEquals("size", e.parameter());
        }
    }
}
