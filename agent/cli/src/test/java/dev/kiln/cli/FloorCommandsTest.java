package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.state.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the floor asks of the agent outside a run, as processes: {@code kiln config check} on each
 * kind of bad field; {@code kiln status} before, during and after a real run (a separate process,
 * while the run holds the state directory); {@code kiln doctor} here and its JSON's shape.
 */
class FloorCommandsTest {
    @TempDir
    Path dir;

    private String state() {
        return dir.resolve("state").toString();
    }

    @Test
    void configCheckSaysWhatIsWrongWithFileLineAndFieldAndWritesNothing() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "service:\n  url: http://127.0.0.1:9\n  timeout: 30s\noutbox:\n  minFreeMiB: 64\n");
        Cli ok = Cli.run("config", "check", "--config", good.toString(), "--state-dir", state());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("profile smoke:") && ok.out().contains("config " + good + ": valid")
                && ok.out().contains("service http://127.0.0.1:9") && ok.out().strip().endsWith("ok"), ok.out());
        assertFalse(Files.exists(dir.resolve("state")), "a check writes nothing");

        // each kind of bad field: the file, the line, the field
        String[][] bad = {
            {"outbox:\n  minFreeMiB: 64\n  sentRetenton: 7d\n", "line 3: unknown key 'sentRetenton'"},
            {"service:\n  url: http://x\n  timeout: soon\n", "line 3: service.timeout: 'soon' is not a duration"},
            {"service:\n  url: ftp://x\n", "line 2: service.url"},
            {"outbox:\n  minFreeMiB: [1\n", "line 2: outbox.minFreeMiB"},
            {"delivery:\n  runWait: -5s\n", "line 2: delivery.runWait"}};
        for (String[] b : bad) {
            Path f = Files.writeString(dir.resolve("bad.yaml"), b[0]);
            Cli c = Cli.run("config", "check", "--config", f.toString(), "--state-dir", state());
            assertEquals(78, c.code(), b[0] + "\n" + c);
            assertTrue(c.err().contains(f.toString()) && c.err().contains(b[1]), b[0] + "\n" + c.err());
            assertEquals(1, c.err().strip().lines().count(), "one line: " + c.err());
        }
        Path profile = Files.writeString(dir.resolve("p.yaml"), "name: p\nsuites:\n  - id: cpu\n    duraton: 5s\n");
        Cli p = Cli.run("config", "check", "--profile", profile.toString(), "--state-dir", state());
        assertEquals(78, p.code());
        assertTrue(p.err().contains("unknown key 'duraton'") && p.err().contains("line 4"), p.err());
        Path sku = Files.writeString(dir.resolve("sku.yaml"), "name: x\nchips: 3\n");
        Cli s = Cli.run("config", "check", "--sku", sku.toString(), "--state-dir", state());
        assertEquals(78, s.code());
        assertTrue(s.err().contains("unknown key 'chips'"), s.err());
        assertEquals(64, Cli.run("config", "check", "--profile", "nope", "--state-dir", state()).code());
        assertEquals(64, Cli.run("config").code(), "a subcommand is needed");
    }

    @Test
    @Timeout(180)
    void statusBeforeDuringAndAfterARealRun() throws Exception {
        Cli none = Cli.run("status", "--state-dir", state());
        assertEquals(0, none.code());
        assertTrue(none.out().startsWith("no run yet"), none.out());

        Kiln run = Kiln.start(dir, "run", "--state-dir", state(), "--suites", "cpu,memory", "-P", "cpu.kernels=crc32c", "--duration", "10s",
                "--no-upload");
        // while it runs, from another process: the run, its suites so far, never the lock
        JsonNode during = null;
        long until = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < until) {
            Kiln s = Kiln.start(dir, "status", "--state-dir", state(), "--json").waitFor(60);
            assertEquals(0, s.exit(), s.toString());
            JsonNode j = Json.MAPPER.readTree(s.out());
            if (j.path("state").asText().equals("running") && j.path("suites").toString().contains("RUNNING")) {
                during = j;
                break;
            }
            Thread.sleep(300);
        }
        assertTrue(during != null, "status saw the run running");
        assertEquals(run.pid(), during.path("pid").asLong(), "the run's own process");
        assertEquals(List.of("cpu", "memory"), names(during));
        run.waitFor(120);
        assertEquals(0, run.exit(), run.toString());

        Cli after = Cli.run("status", "--state-dir", state(), "--json");
        JsonNode a = Json.MAPPER.readTree(after.out());
        assertEquals("last", a.path("state").asText());
        assertEquals("PASS", a.path("verdict").asText());
        assertEquals("pending", a.path("delivery").asText(), "--no-upload: left in the outbox");
        assertTrue(a.path("bundle").asText().endsWith(".kiln.zip") && Files.exists(Path.of(a.path("bundle").asText())));
        assertEquals(Set.of("PASS"), Set.copyOf(a.path("suites").findValuesAsText("outcome")));
        Cli text = Cli.run("status", "--state-dir", state());
        assertTrue(text.out().startsWith("last run ") && text.out().contains(": PASS, profile smoke") && text.out().contains(": pending"), text.out());
    }

    private static List<String> names(JsonNode status) {
        List<String> out = new ArrayList<>();
        status.path("suites").forEach(s -> out.add(s.path("suite").asText()));
        return out;
    }

    @Test
    @Timeout(120)
    void doctorChecksEveryCapabilityAndSaysWhatIsMissing() throws Exception {
        Path sys = dir.resolve("sys-root/sys/class/thermal/thermal_zone0");
        Files.createDirectories(sys);
        Files.writeString(sys.resolve("type"), "x86_pkg_temp\n");
        Files.writeString(sys.resolve("temp"), "55000\n");
        Path cfg = Files.writeString(dir.resolve("cfg.yaml"), "service:\n  url: http://127.0.0.1:9\n");
        Kiln k = Kiln.start(dir, "doctor", "--json", "--state-dir", state(), "--config", cfg.toString(), "--sysfs-root",
                dir.resolve("sys-root").toString()).waitFor(90);
        JsonNode d = Json.MAPPER.readTree(k.out());
        List<String> ids = new ArrayList<>();
        for (JsonNode c : d.path("checks")) {
            ids.add(c.path("id").asText());
            assertTrue(Set.of("OK", "DEGRADED", "MISSING").contains(c.path("status").asText()), c.toString());
            assertFalse(c.path("summary").asText().isBlank(), c.toString());
            assertTrue(c.has("fix") && c.has("seenOnAppleSilicon"), c.toString());
        }
        assertTrue(ids.containsAll(List.of("privileges", "thread-placement", "telemetry-temperatures", "telemetry-clocks", "telemetry-power",
                "telemetry-fans", "telemetry-memory-errors", "suite-cpu", "suite-memory", "suite-gpu", "suite-neural-engine", "disk",
                "station-key", "service", "clock-sync")), ids.toString());
        assertEquals("OK", status(d, "telemetry-temperatures"), "the one thermal zone of this /sys");
        assertEquals("MISSING", status(d, "telemetry-fans"));
        assertEquals("MISSING", status(d, "station-key"), "a fresh state directory has no key");
        assertEquals("MISSING", status(d, "service"), "nothing listens on port 9");
        assertTrue(summary(d, "service").contains("cannot be reached"), summary(d, "service"));
        assertEquals("OK", status(d, "suite-cpu"));
        assertEquals("MISSING", status(d, "suite-neural-engine"), "no Neural Engine on Linux");
        assertTrue(summary(d, "suite-neural-engine").contains("Apple Silicon"));
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertEquals("OK", status(d, "thread-placement"), summary(d, "thread-placement"));
        }
        long missing = d.path("missing").asLong();
        assertTrue(missing >= 3);
        assertEquals(2, k.exit(), "something is missing: exit 2");
        assertFalse(Files.exists(dir.resolve("state")), "the doctor writes nothing");
    }

    private static String status(JsonNode d, String id) {
        for (JsonNode c : d.path("checks")) {
            if (c.path("id").asText().equals(id)) {
                return c.path("status").asText();
            }
        }
        return "absent";
    }

    private static String summary(JsonNode d, String id) {
        for (JsonNode c : d.path("checks")) {
            if (c.path("id").asText().equals(id)) {
                return c.path("summary").asText();
            }
        }
        return "absent";
    }
}
