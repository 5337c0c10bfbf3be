package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleReader;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.inventory.InventoryProbe;
import dev.kiln.core.kit.OcpStreamValidator;
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

    @Test
    void runWithAMismatchedSkuFailsWithBothValuesInTheBundle() throws Exception {
        Path state = dir.resolve("state");
        Path other = Path.of("../../docs/skus/mac-studio-m4max-48gb.yaml").toAbsolutePath().normalize();
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "300ms", "--sku", other.toString(), "--output", "jsonl");
        assertEquals(1, c.code(), c.toString());
        assertEquals(Map.of("inventory", "FAIL", "selftest-pass", "PASS"), OcpStreamValidator.outcomes(c.out()));
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
