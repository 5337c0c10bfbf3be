package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * IOReport where there is none: a clear IOException (the Mac probe makes it one warning), never a
 * crash. Its decoding is tested on captures (IoReportTest); the calls, on the first Mac (checklist row 19).
 */
class IoReportSourceTest {
    @Test
    void withoutLibIoReportOpeningFailsWithAReason() {
        assumeFalse(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac"), "a Mac has it");
        IOException e = assertThrows(IOException.class, () -> IoReportSource.open(w -> { }));
        assertTrue(e.getMessage().startsWith("libIOReport cannot be loaded"), e.getMessage());
    }
}
