package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuPeakTest {
    @Test
    void theM1ProOnItsOwnSystemProfilerListingHas14CoresAnd4Point6Teraflops() throws Exception {
        String json;
        try (var in = GpuPeakTest.class.getResourceAsStream("/fixtures/macos/system_profiler-SPDisplaysDataType-m1pro-builtin-plus-2ext.json")) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<GpuPeak.Listed> gpus = GpuPeak.parse(json);
        assertEquals(List.of(new GpuPeak.Listed("Apple M1 Pro", 14)), gpus);
        assertEquals(14, GpuPeak.coresOf("Apple M1 Pro", gpus));
        assertEquals(-1, GpuPeak.coresOf("Apple M2", gpus));
        double peak = GpuPeak.flops(14, GpuPeak.clockGHz("Apple M1 Pro").orElseThrow());
        assertEquals(4.644e12, peak, 0.001e12, "14 x 128 x 2 x 1.296 GHz (the 16-core M1 Pro: 5.31 TFLOPS)");
    }

    @Test
    void clocksComeFromTheSourcedTableAndAreNeverGuessed() {
        assertEquals(1.278, GpuPeak.clockGHz("Apple M1").orElseThrow());
        assertEquals(1.296, GpuPeak.clockGHz("Apple M1 Ultra").orElseThrow());
        assertEquals(1.398, GpuPeak.clockGHz("Apple M2 Max").orElseThrow());
        assertEquals(1.380, GpuPeak.clockGHz("Apple M3 Pro").orElseThrow());
        assertEquals(1.578, GpuPeak.clockGHz("Apple M4 Max").orElseThrow());
        assertTrue(GpuPeak.clockGHz("Apple M5 Max").isEmpty(), "unpublished: no peak claimed");
        assertTrue(GpuPeak.clockGHz("pthread-skylake-avx512-AMD EPYC").isEmpty());
        assertEquals(10.6e12, GpuPeak.flops(32, 1.296), 0.02e12, "the M1 Max's 10.6 TFLOPS");
        // an entry without cores (a discrete GPU) and two entries keep each their own
        String two = "{\"a\":[{\"sppci_model\":\"AMD Radeon\"},{\"sppci_cores\":\"10\",\"sppci_model\":\"Apple M2\"}]}";
        assertEquals(List.of(new GpuPeak.Listed("AMD Radeon", -1), new GpuPeak.Listed("Apple M2", 10)), GpuPeak.parse(two));
    }
}
