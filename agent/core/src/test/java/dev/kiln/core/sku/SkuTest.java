package dev.kiln.core.sku;

import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.mac.MacInventory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkuTest {
    @TempDir
    Path dir;

    static String fixture(String name) {
        try (InputStream in = SkuTest.class.getResourceAsStream("/fixtures/macos/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Inventory base() {
        return new Inventory("host", "unknown", "unknown", "unknown", "unknown", "unknown", "macOS", 16, 16, List.of(), 1L << 30,
                List.of(), null, List.of(), List.of("aa:bb:cc:dd:ee:ff"), Map.of());
    }

    /** The M4 Max from its real sysctl and system_profiler captures (GPU from the only SPDisplays capture, an M1 Pro). */
    static Inventory m4max(String ioreg) {
        return MacInventory.assemble(base(), fixture("sysctl-hw-machdep-m4max-j614c-macos15.txt"),
                fixture("system_profiler-SPHardwareDataType-m4max-mac16_5.json"),
                fixture("system_profiler-SPDisplaysDataType-m1pro-builtin-plus-2ext.json"), ioreg);
    }

    Sku sku(String yaml) throws IOException {
        Path f = dir.resolve("sku.yaml");
        Files.writeString(f, yaml);
        return Sku.load(f);
    }

    @Test
    void macInventoryFromRealCaptures() {
        Inventory inv = m4max("+-o H11ANEIn  <class H11ANEIn, id 0x1000002b4, registered>");
        assertEquals("Apple M4 Max", inv.chip());
        assertEquals("FAKESN0001", inv.serial());
        assertEquals(List.of(new Inventory.Cluster("Performance", 12), new Inventory.Cluster("Efficiency", 4)), inv.clusters());
        assertEquals(48L << 30, inv.memoryBytes());
        assertEquals(List.of(new Inventory.Gpu("Apple M1 Pro", 14)), inv.gpus());
        assertTrue(inv.neuralEngine());
        assertTrue(inv.sources().get("neuralEngine").contains("unverified"));

        Inventory noSysctl = MacInventory.assemble(base(), null, fixture("system_profiler-SPHardwareDataType-m1-macbookair10_1.json"),
                null, null);
        assertEquals(List.of(new Inventory.Cluster("Performance", 4), new Inventory.Cluster("Efficiency", 4)), noSysctl.clusters());
        assertNull(noSysctl.neuralEngine(), "cannot tell");

        Inventory vm = MacInventory.assemble(base(), fixture("sysctl-subset-m1virtual-githubrunner-macos26.6.2.txt"),
                fixture("system_profiler-SPHardwareDataType-m1virtual-githubrunner-macos26.6.2.json"), null, "");
        assertEquals(List.of(new Inventory.Cluster("Standard", 3)), vm.clusters());
        assertFalse(vm.neuralEngine());
        Inventory m5 = MacInventory.assemble(base(), fixture("sysctl-hw.perflevel-m5max-mac17_6.txt"),
                fixture("system_profiler-SPHardwareDataType-m5max-mac17_6.json"), null, null);
        assertEquals(List.of(new Inventory.Cluster("Super", 6), new Inventory.Cluster("Performance", 12)), m5.clusters());
        Inventory garbage = MacInventory.assemble(base(), "garbage", "<html>", "{", null);
        assertEquals("unknown", garbage.chip(), "unreadable outputs fall back, they do not crash");
    }

    @Test
    void aMatchingSkuMatches() throws IOException {
        Sku s = sku("name: mbp16-m4max-48\nchip: Apple M4 Max\nclusters:\n  performance: 12\n  efficiency: 4\ngpuCores: 14\n"
                + "memoryGiB: 48\nneuralEngine: true\nlimits:\n  maxTemperatureCelsius: 105\n");
        List<Sku.Check> checks = s.compare(m4max("H11ANEIn"));
        assertEquals(6, checks.size(), checks.toString());
        assertTrue(checks.stream().allMatch(Sku.Check::ok), checks.toString());
    }

    @Test
    void everyKindOfMismatchIsNamedWithBothValues() throws IOException {
        Sku s = sku("chip: Apple M4 Ultra\nclusters:\n  performance: 16\n  super: 2\ngpuCores: 40\nmemoryGiB: 64\nneuralEngine: true\n");
        List<Sku.Check> bad = s.compare(m4max(null)).stream().filter(c -> !c.ok()).toList();
        assertEquals(List.of(
                new Sku.Check("chip", "Apple M4 Ultra", "Apple M4 Max", false),
                new Sku.Check("clusters.performance", "16 cores", "12 cores", false),
                new Sku.Check("clusters.super", "2 cores", "no such cluster", false),
                new Sku.Check("clusters.efficiency", "no such cluster", "4 cores", false),
                new Sku.Check("gpuCores", "40", "14", false),
                new Sku.Check("memoryGiB", "64", "48", false),
                new Sku.Check("neuralEngine", "present", "unknown", false)), bad);
    }

    @Test
    void badSkuFilesAreConfigurationErrorsWithLineAndField() throws IOException {
        KilnException unknown = assertThrows(KilnException.class, () -> sku("chip: x\ngpuCore: 40\n"));
        assertEquals(ExitCode.CONFIG, unknown.exitCode());
        assertTrue(unknown.getMessage().contains("line 2") && unknown.getMessage().contains("'gpuCore'"), unknown.getMessage());
        KilnException type = assertThrows(KilnException.class, () -> sku("chip: x\nmemoryGiB: lots\n"));
        assertTrue(type.getMessage().contains("'memoryGiB'") && type.getMessage().contains("line 2"), type.getMessage());
        KilnException nested = assertThrows(KilnException.class, () -> sku("clusters:\n  performance: many\n"));
        assertTrue(nested.getMessage().contains("clusters.performance"), nested.getMessage());
    }

    @Test
    void aSkuThatChecksNothingIsRefused() {
        for (String text : List.of("name: mac-studio\n", "name: x\nlimits: {}\n", "name: x\nlimits:\n  maxTemperatureCelsius: null\n")) {
            KilnException e = assertThrows(KilnException.class, () -> sku(text), text);
            assertEquals(ExitCode.CONFIG, e.exitCode());
            assertTrue(e.getMessage().contains("names no part and no limit to check"), e.getMessage());
        }
    }

    @Test
    void clockFloorsNameTheirClusters() throws IOException {
        assertEquals(Map.of("performance", 3.0e9), sku("limits:\n  minSustainedClockHertz: 3.0e9\n").limits().clockFloors());
        assertEquals(Map.of("performance", 3.0e9, "efficiency", 2.0e9),
                sku("limits:\n  minSustainedClockHertz: {performance: 3.0e9, efficiency: 2.0e9}\n").limits().clockFloors());
        assertEquals(Map.of("p0", 3.2e9), sku("limits:\n  minSustainedClockHertz:\n    P0: 3.2e9\n").limits().clockFloors());
        for (String bad : List.of("limits:\n  minSustainedClockHertz: fast\n", "limits:\n  minSustainedClockHertz: -1\n",
                "limits:\n  minSustainedClockHertz: {performance: quick}\n")) {
            KilnException e = assertThrows(KilnException.class, () -> sku(bad), bad);
            assertEquals(ExitCode.CONFIG, e.exitCode());
            assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("limits.minSustainedClockHertz"), e.getMessage());
        }
    }
}
