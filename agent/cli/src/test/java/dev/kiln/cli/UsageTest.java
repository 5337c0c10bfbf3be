package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one line on stderr, a distinct exit code, nothing on stdout. */
class UsageTest {
    private static void rejects(int code, String expected, String... args) {
        Cli c = Cli.run(args);
        assertEquals(code, c.code(), c.toString());
        assertEquals("", c.out(), "nothing half-written on stdout: " + c);
        String err = c.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("kiln: "), err);
        assertTrue(err.contains(expected), "'" + expected + "' in: " + err);
    }

    @Test
    void usageErrorsExit64() {
        rejects(64, "unknown suite 'nope'", "run", "--suites", "nope");
        rejects(64, "unknown profile 'nope'", "run", "--profile", "nope");
        rejects(64, "--duration: '10x' is not a duration", "run", "--duration", "10x");
        rejects(64, "must be more than zero", "run", "--duration", "0s");
        rejects(64, "--seed: 'abc' is not a seed", "run", "--seed", "abc");
        rejects(64, "--progress applies to human output", "run", "--output", "jsonl", "--progress", "live");
        rejects(64, "unknown parameter 'nope'", "run", "-P", "cpu.nope=1");
        rejects(64, "unknown kernel 'sha1'", "run", "-P", "cpu.kernels=sha1");
        rejects(64, "not SUITE.NAME=VALUE", "run", "-P", "kernels");
        rejects(64, "which this run does not include", "run", "--suites", "cpu", "-P", "selftest-pass.at-iteration=3");
        rejects(64, "below its minimum", "run", "--suites", "cpu", "--duration", "500ms");
        rejects(64, "Unknown option", "run", "--frobnicate");
        rejects(64, "Invalid value for option '--output'", "run", "--output", "xml");
        rejects(64, "--inject-fault", "run", "--inject-fault", "garbage");
        rejects(64, "twice", "run", "--suites", "cpu,cpu");
        rejects(64, "Unmatched argument", "nonsense-verb");
    }

    @Test
    void badProfileFilesExit78(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("bad.yaml");
        Files.writeString(p, "name: bad\nsuites:\n  - id: cpu\n    duraton: 1m\n");
        rejects(78, "unknown key 'duraton'", "run", "--profile", p.toString());
        Files.writeString(p, "name: bad\nsuites:\n  - id: gpu-that-is-not-here\n");
        rejects(78, "unknown suite 'gpu-that-is-not-here'", "run", "--profile", p.toString());
        Files.writeString(p, "name: bad\nsuites:\n  - id: cpu\n    duration: forever\n");
        rejects(78, "'forever' is not a duration", "run", "--profile", p.toString());
        Files.writeString(p, "name: bad\nsuites:\n  - id: cpu\n    parameters:\n      degraded-margin: \"2\"\n");
        rejects(78, "degraded-margin", "run", "--profile", p.toString());
        Files.writeString(p, "name: bad\nhangTimeout: soon\nsuites:\n  - id: cpu\n");
        rejects(78, "hangTimeout", "run", "--profile", p.toString());
    }

    @Test
    void helpListsEveryExitCode() {
        Cli c = Cli.run("--help");
        assertEquals(0, c.code());
        for (dev.kiln.core.ExitCode e : dev.kiln.core.ExitCode.values()) {
            assertTrue(c.out().matches("(?s).*\\n\\s+" + e.code() + "\\s+.*"), "exit code " + e.code() + " listed:\n" + c.out());
        }
        Cli run = Cli.run("run", "--help");
        assertTrue(run.out().contains("Exit codes:") && run.out().contains("--profile"), run.out());
        assertTrue(!run.out().contains("--inject-fault"), "the fault seam stays hidden");
    }

    @Test
    void versionSaysWhatItIs() {
        Cli c = Cli.run("--version");
        assertEquals(0, c.code());
        assertTrue(c.out().startsWith("kiln "), c.out());
    }

    @Test
    void suitesListsAvailabilityAndReasons() throws Exception {
        Cli c = Cli.run("suites", "--json");
        assertEquals(0, c.code(), c.toString());
        JsonNode rows = new ObjectMapper().readTree(c.out());
        JsonNode cpu = null;
        JsonNode skip = null;
        for (JsonNode r : rows) {
            if (r.get("id").asText().equals("cpu")) {
                cpu = r;
            }
            if (r.get("id").asText().equals("selftest-skip")) {
                skip = r;
            }
        }
        assertTrue(cpu != null && cpu.get("available").asBoolean(), c.out());
        assertTrue(cpu.get("parameters").size() >= 3);
        assertEquals("NOT_PRESENT", skip.get("category").asText());
        assertEquals("no self-test widget on this machine", skip.get("reason").asText());
        Cli table = Cli.run("suites");
        assertTrue(table.out().contains("unavailable: NOT_PRESENT") && table.out().contains("reason: no self-test widget"), table.out());
    }

    @Test
    void telemetryPrintsSamplesFromAFixtureTree(@TempDir Path root) throws Exception {
        Path zone = root.resolve("sys/class/thermal/thermal_zone0");
        Files.createDirectories(zone);
        Files.writeString(zone.resolve("type"), "soc");
        Files.writeString(zone.resolve("temp"), "47500");
        Cli c = Cli.run("telemetry", "--json", "--count", "2", "--interval", "50ms", "--sysfs-root", root.toString());
        assertEquals(0, c.code(), c.toString());
        java.util.List<String> lines = c.out().lines().toList();
        assertEquals(2, lines.size(), c.out());
        JsonNode sample = new ObjectMapper().readTree(lines.get(1));
        assertEquals(47.5, sample.get("channels").get("thermal_zone0_soc_celsius").asDouble());
        assertTrue(sample.get("channels").get("memory_available_bytes").asDouble() > 0);
        rejects(64, "--interval", "telemetry", "--interval", "often");
    }

    @Test
    void inventoryDescribesTheMachine() throws Exception {
        Cli c = Cli.run("inventory", "--json");
        assertEquals(0, c.code(), c.toString());
        JsonNode inv = new ObjectMapper().readTree(c.out());
        assertTrue(inv.get("logicalCpus").asInt() >= 1);
        assertTrue(inv.get("memoryBytes").asLong() > 0);
        assertTrue(inv.has("serial") && inv.has("model") && inv.has("clusters") && inv.has("macs") && inv.has("disks"));
        Cli text = Cli.run("inventory");
        assertTrue(text.out().contains("Cores") && text.out().contains("Memory"), text.out());
    }
}
