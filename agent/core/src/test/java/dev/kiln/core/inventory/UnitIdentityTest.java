package dev.kiln.core.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unit's serial: the one given, the platform's when it names a machine, else its machine id
 * hashed (never the id itself), else {@code unknown} with the reason; DMI's placeholders are never a
 * machine's serial.
 */
class UnitIdentityTest {
    private static final String ID_A = "3d1219c7a8f04b2e9c1d5e6f7a8b9c0d";
    private static final String ID_B = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @Test
    void theGivenSerialThenThePlatformsThenTheMachineIdHashedThenUnknown() {
        assertEquals(new UnitIdentity("SN-GIVEN", "--serial", ""), UnitIdentity.resolve("SN-GIVEN", "SN-CONF", "C02XK0TEST", () -> ID_A));
        assertEquals(new UnitIdentity("SN-CONF", "config", ""), UnitIdentity.resolve(null, "SN-CONF", "C02XK0TEST", () -> ID_A));
        assertEquals(new UnitIdentity("C02XK0TEST", "platform", ""), UnitIdentity.resolve(null, "C02XK0TEST", () -> ID_A));
        UnitIdentity a = UnitIdentity.resolve(null, "To Be Filled By O.E.M.", () -> ID_A);
        assertEquals("machine id", a.source());
        assertTrue(a.serial().matches("machine-[0-9a-f]{20}"), a.serial());
        assertTrue(!a.serial().contains(ID_A.substring(0, 8)), "the machine id itself is never published");
        assertTrue(a.note().contains("'To Be Filled By O.E.M.'") && a.note().contains("give --serial"), a.note());
        assertEquals(a.serial(), UnitIdentity.resolve(null, "unknown", () -> ID_A).serial(), "stable for the machine");
        assertNotEquals(a.serial(), UnitIdentity.resolve(null, "unknown", () -> ID_B).serial(), "two machines, two serials");
        UnitIdentity none = UnitIdentity.resolve(null, "unknown", () -> null);
        assertEquals("unknown", none.serial());
        assertEquals("none", none.source());
        assertTrue(none.note().contains("the service files each run apart"), none.note());
    }

    @Test
    void aMacWithoutASerialStandsOnItsHardwareUuidHashedAndSaysSo() {
        UnitIdentity mac = UnitIdentity.resolveOn(null, null, "XXXXXXXXXXXX", () -> new UnitIdentity.MachineId(ID_A, "hardware UUID"));
        assertEquals("hardware UUID", mac.source());
        assertTrue(mac.note().contains("stands on its hardware UUID, hashed"), mac.note());
        assertEquals(UnitIdentity.resolve(null, "unknown", () -> ID_A).serial(), mac.serial(), "the same hash as a machine id");
        assertTrue(!mac.serial().contains(ID_A.substring(0, 8)), "the UUID itself is never published");
        assertEquals("C02XK0TEST", UnitIdentity.resolveOn(null, null, "C02XK0TEST", () -> {
            throw new AssertionError("the UUID is not asked for when the serial names the machine");
        }).serial());
    }

    @Test
    void dmisPlaceholdersNameNoMachine() {
        for (String p : new String[] {"unknown", "", "  ", "0", "00000000", "To Be Filled By O.E.M.", "Default string", "System Serial Number",
            "Not Specified", "0123456789", "XXXXXXXX", null}) {
            assertTrue(BundleIdentity.placeholderSerial(p), "'" + p + "'");
        }
        for (String s : new String[] {"C02XK0TEST", "FVFXC0ABQ6L4", "VMware-56 4d 1a", "machine-0a1b2c3d4e5f60718293"}) {
            assertTrue(!BundleIdentity.placeholderSerial(s), s);
        }
        assertEquals("no-serial:R1", BundleIdentity.unitOf("unknown", "R1"));
        assertEquals("C02XK0TEST", BundleIdentity.unitOf("C02XK0TEST", "R1"));
    }

    @Test
    void theMachineIdIsSystemdsElseDbusAndNothingElse(@TempDir Path root) throws Exception {
        assertNull(UnitIdentity.machineId(root));
        Files.createDirectories(root.resolve("var/lib/dbus"));
        Files.writeString(root.resolve("var/lib/dbus/machine-id"), ID_B + "\n");
        assertEquals(ID_B, UnitIdentity.machineId(root));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/machine-id"), "uninitialized\n"); // systemd's first-boot marker: not an id
        assertEquals(ID_B, UnitIdentity.machineId(root));
        Files.writeString(root.resolve("etc/machine-id"), ID_A + "\n");
        assertEquals(ID_A, UnitIdentity.machineId(root));
    }

    @Test
    void aGivenSerialMustNameAMachine() {
        assertNull(UnitIdentity.problemWith("C02XK0TEST"));
        assertNotNull(UnitIdentity.problemWith("unknown"));
        assertNotNull(UnitIdentity.problemWith(""));
        assertNotNull(UnitIdentity.problemWith("x".repeat(129)));
        assertNotNull(UnitIdentity.problemWith("SN\u0007"));
    }
}
