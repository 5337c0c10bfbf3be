package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The SMC source where there is no SMC: opening it is a clear IOException (which the Mac probe turns
 * into one warning, and the run into no temperature channel, so the judge is INSUFFICIENT), never a
 * crash of the sampler. On a Mac the source itself is checked by docs/on-hardware-checklist.md row 16.
 */
class SmcSourceTest {
    @Test
    void withoutAnSmcOpeningFailsWithAReasonNotACrash() {
        assumeFalse(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac"), "a Mac has an SMC");
        IOException e = assertThrows(IOException.class, () -> SmcSource.open(w -> { }));
        assertTrue(e.getMessage().contains("IOKit") || e.getMessage().contains("AppleSMC"), e.getMessage());
    }
}
