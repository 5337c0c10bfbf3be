package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleReader;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.kit.OcpStreamValidator;
import dev.kiln.core.platform.InventoryProbe;
import dev.kiln.core.state.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln inventory --sku and kiln run --sku on this machine. */
class SkuCliTest {
    @TempDir
    Path dir;

    Path thisMachine() throws Exception {
        Inventory inv = new InventoryProbe().probe();
        return Files.writeString(dir.resolve("here.yaml"), "name: this-machine\nchip: \"" + inv.chip() + "\"\nmemoryGiB: "
                + Math.round(inv.memoryBytes() / (double) (1L << 30)) + "\n");
    }

    @Test
    void inventoryComparesAndExitsOneOnAMismatch() throws Exception {
        Cli ok = Cli.run("inventory", "--sku", thisMachine().toString());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("SKU this-machine: MATCH"), ok.out());

        Path other = Path.of("../../docs/skus/mac-studio-m4max-48gb.yaml").toAbsolutePath().normalize();
        Cli bad = Cli.run("inventory", "--sku", other.toString());
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.out().contains("MISMATCH") && bad.out().contains("FAIL chip"), bad.out());
        Cli json = Cli.run("inventory", "--sku", other.toString(), "--json");
        JsonNode n = Json.MAPPER.readTree(json.out());
        assertEquals(false, n.get("match").asBoolean());
        assertEquals("Apple M4 Max", n.get("checks").get(0).get("expected").asText());

        Files.writeString(dir.resolve("bad.yaml"), "chips: x\n");
        Cli refused = Cli.run("inventory", "--sku", dir.resolve("bad.yaml").toString());
        assertEquals(78, refused.code());
        assertTrue(refused.err().contains("line 1: unknown key 'chips'"), refused.err());
    }

    /** Limits against a fixture sysfs tree: a hot zone fails the run; no sensor at all is a skip, never a pass. */
    @Test
    void telemetryLimitsAreHeldDuringTheRun() throws Exception {
        Path sys = dir.resolve("sysfs");
        Path zone = Files.createDirectories(sys.resolve("sys/class/thermal/thermal_zone0"));
        Files.writeString(zone.resolve("type"), "soc");
        Files.writeString(zone.resolve("temp"), "112000");
        Path cpu = Files.createDirectories(sys.resolve("sys/devices/system/cpu/cpu0/cpufreq"));
        Files.writeString(cpu.resolve("scaling_cur_freq"), "3500000");
        Inventory inv = new InventoryProbe().probe();
        Path limits = Files.writeString(dir.resolve("limits.yaml"), "chip: \"" + inv.chip() + "\"\nlimits:\n  maxTemperatureCelsius: 105\n"
                + "  minSustainedClockHertz: 3.0e9\n  breachSeconds: 1\n");
        Cli hot = Cli.run("run", "--state-dir", dir.resolve("s1").toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "2500ms", "--sku", limits.toString(), "--sysfs-root", sys.toString(), "--output", "jsonl");
        assertEquals(1, hot.code(), hot.toString());
        assertEquals("FAIL", OcpStreamValidator.outcomes(hot.out()).get("thermal"), hot.out());
        assertTrue(hot.out().contains("\"name\":\"peak_sustained_celsius\",\"value\":112.0"), hot.out());

        Files.writeString(zone.resolve("temp"), "71000");
        Cli cool = Cli.run("run", "--state-dir", dir.resolve("s2").toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "2500ms", "--sku", limits.toString(), "--sysfs-root", sys.toString(), "--output", "jsonl");
        assertEquals(0, cool.code(), cool.toString());
        assertEquals("PASS", OcpStreamValidator.outcomes(cool.out()).get("thermal"));

        Path empty = Files.createDirectories(dir.resolve("nosensors"));
        Cli blind = Cli.run("run", "--state-dir", dir.resolve("s3").toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "1500ms", "--sku", limits.toString(), "--sysfs-root", empty.toString(), "--output", "jsonl");
        assertEquals(2, blind.code(), "a limit nobody could check is INCOMPLETE, not PASS: " + blind);
        assertEquals("SKIPPED", OcpStreamValidator.outcomes(blind.out()).get("thermal"));
    }

    @Test
    void runWithAMismatchedSkuFailsWithBothValuesInTheBundle() throws Exception {
        Path state = dir.resolve("state");
        Path other = Path.of("../../docs/skus/mac-studio-m4max-48gb.yaml").toAbsolutePath().normalize();
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "300ms", "--sku", other.toString(), "--output", "jsonl");
        assertEquals(1, c.code(), c.toString());
        Map<String, String> outcomes = OcpStreamValidator.outcomes(c.out());
        assertEquals("FAIL", outcomes.get("inventory"));
        assertEquals("PASS", outcomes.get("selftest-pass"));
        assertTrue(outcomes.containsKey("thermal"), "the example SKU has limits: " + outcomes);
        assertTrue(c.out().contains("\"verdict\":\"inventory-sku-mismatch\""), c.out());
        Path bundle;
        try (var s = Files.list(state.resolve("outbox/pending"))) {
            bundle = s.findFirst().orElseThrow();
        }
        var files = BundleReader.read(Files.readAllBytes(bundle), BundleLimits.defaults());
        JsonNode inv = Json.MAPPER.readTree(files.get(BundleNames.INVENTORY));
        assertEquals("mac-studio-m4max-48gb", inv.get("sku").get("name").asText());
        assertTrue(inv.get("checks").size() >= 5);
        String summary = new String(files.get(BundleNames.SUMMARY), StandardCharsets.UTF_8);
        assertTrue(summary.contains("\"expected\" : \"Apple M4 Max\""), summary);

        Cli match = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms", "--sku", thisMachine().toString());
        assertEquals(0, match.code(), match.toString());
    }
}
