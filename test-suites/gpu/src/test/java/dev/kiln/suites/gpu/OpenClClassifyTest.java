package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jocl.CL;
import org.junit.jupiter.api.Test;

/** NOT_PRESENT only when there is no platform; every other OpenCL error is ERROR with the driver's code. */
class OpenClClassifyTest {
    @Test
    void noPlatformIsNotPresent() {
        RuntimeException e = OpenCl.classify(OpenCl.CL_PLATFORM_NOT_FOUND_KHR, "CL_PLATFORM_NOT_FOUND_KHR");
        assertInstanceOf(OpenCl.Unavailable.class, e);
        assertTrue(e.getMessage().startsWith("no OpenCL platform here"), e.getMessage());
    }

    @Test
    void aBrokenDriverIsAnErrorWithItsCode() {
        // the constants are compile-time ints: no native library is loaded for them
        Map<Integer, String> broken = Map.of(CL.CL_OUT_OF_RESOURCES, "CL_OUT_OF_RESOURCES", CL.CL_OUT_OF_HOST_MEMORY,
                "CL_OUT_OF_HOST_MEMORY", CL.CL_INVALID_VALUE, "CL_INVALID_VALUE", CL.CL_DEVICE_NOT_AVAILABLE, "CL_DEVICE_NOT_AVAILABLE");
        broken.forEach((status, name) -> {
            RuntimeException e = OpenCl.classify(status, name);
            assertInstanceOf(OpenCl.Broken.class, e, "status " + status);
            assertTrue(e.getMessage().contains("(status " + status + ")"), e.getMessage());
            assertTrue(e.getMessage().contains(name), e.getMessage());
        });
        assertEquals("OpenCL failed while listing devices: CL_OUT_OF_RESOURCES (status -5)",
                OpenCl.classify(CL.CL_OUT_OF_RESOURCES, "CL_OUT_OF_RESOURCES").getMessage());
    }
}
