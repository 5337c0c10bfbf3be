package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the floor does to a station's state: a second run on the same directory, a disk that fills
 * during a run, journals damaged in every way found. Real processes, exit status from the OS.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class NothingLostTest {
    @TempDir
    Path dir;

    private Path state() {
        return dir.resolve("state");
    }

    private List<Path> files(Path d, String suffix) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private BundleVerifier.Result verify(Path bundle) throws IOException {
        return new BundleVerifier(TrustStore.load(state().resolve("keys/station.pub")), BundleLimits.defaults())
                .verify(Files.readAllBytes(bundle));
    }

    private JsonNode summary(BundleVerifier.Result r) throws IOException {
        return Json.MAPPER.readTree(r.files().get(BundleNames.SUMMARY));
    }

    @Test
    @Timeout(120)
    void aSecondRunOnTheSameStateDirectoryIsRefusedAndTheFirstLosesNothing() throws Exception {
        Kiln first = Kiln.start(dir, "run", "--state-dir", state().toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "60s");
        first.awaitOut("> selftest-pass ", 30);
        Kiln second = Kiln.run(dir, "run", "--state-dir", state().toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "1s");
        assertEquals(73, second.exit(), second.toString());
        assertTrue(second.err().contains("another kiln run (pid " + first.pid() + ", started "), second.err());
        assertEquals("", second.out(), "nothing ran");
        assertTrue(first.err().lines().noneMatch(l -> l.contains("recovered")), "the live run was not taken for a dead one");

        first.signal("TERM");
        first.waitFor(30);
        assertEquals(2, first.exit(), first.toString());
        List<Path> pending = files(state().resolve("outbox/pending"), ".kiln.zip");
        assertEquals(1, pending.size(), pending.toString());
        BundleVerifier.Result r = verify(pending.get(0));
        assertTrue(r.valid(), r.problems().toString());
        assertFalse(summary(r).path("recovered").asBoolean(), "the first run sealed its own bundle");
        assertTrue(new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8).contains("testRunEnd"));
        assertEquals(List.of(), files(state().resolve("runs"), ""), "nothing left to recover");
    }

    static boolean canMountTmpfs() {
        return DiskFullTest.canMountTmpfs();
    }

    @Test
    @EnabledIf("canMountTmpfs")
    @Timeout(120)
    void aDiskThatFillsDuringTheRunCancelsItWhileItCanStillBeSealed() throws Exception {
        Path root = Files.createDirectories(state());
        assertEquals(0, DiskFullTest.sh("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", root.toString()));
        try {
            Files.writeString(root.resolve("config.yaml"), "outbox:\n  minFreeMiB: 8\n");
            Kiln k = Kiln.start(dir, "run", "--state-dir", root.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                    "selftest-pass,selftest-pass-again", "--duration", "120s");
            k.awaitOut("> selftest-pass ", 30);
            // another process fills the disk until 2 MiB are left: less than sealing needs
            long free = Files.getFileStore(root).getUsableSpace();
            try (OutputStream o = Files.newOutputStream(root.resolve("filler"))) {
                byte[] block = new byte[1 << 20];
                for (long left = free - (2L << 20); left > 0; left -= block.length) {
                    o.write(block, 0, (int) Math.min(block.length, left));
                }
            }
            k.waitFor(30);
            assertEquals(2, k.exit(), "cancelled and sealed: incomplete\n" + k);
            assertEquals(2, Summary.parse(k.out()).exit());
            assertTrue(k.err().contains("the disk is nearly full") && k.err().contains("cancelling the run"), k.err());
            List<Path> pending = files(root.resolve("outbox/pending"), ".kiln.zip");
            assertEquals(1, pending.size(), "sealed while it still could be");
            BundleVerifier.Result r = verify(pending.get(0));
            assertTrue(r.valid(), r.problems().toString());
            assertEquals("INCOMPLETE", summary(r).path("verdict").asText());
            assertTrue(new String(r.files().get(BundleNames.EVENTS), StandardCharsets.UTF_8).contains("the disk is nearly full"),
                    "the bundle says why");
        } finally {
            DiskFullTest.sh("umount", root.toString());
        }
    }

    /** A run killed while sealing: its whole journal is left in runs/ for the next start. */
    private Path killedRun() throws Exception {
        Kiln k = Kiln.start(dir, "run", "--state-dir", state().toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass,selftest-fail,selftest-pass-again", "--duration", "1500ms", "--pause-at", "SEALING");
        k.awaitErr("paused at sealing", 30);
        new ProcessBuilder("kill", "-KILL", Long.toString(k.pid())).start().waitFor();
        k.waitFor(10);
        List<Path> runs = files(state().resolve("runs"), "");
        assertEquals(1, runs.size(), runs.toString());
        return runs.get(0);
    }

    private Kiln nextRun() throws Exception {
        return Kiln.run(dir, "run", "--state-dir", state().toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms");
    }

    /** The recovered bundle in pending/ (the one whose summary says recovered). */
    private JsonNode recovered() throws Exception {
        for (Path p : files(state().resolve("outbox/pending"), ".kiln.zip")) {
            BundleVerifier.Result r = verify(p);
            assertTrue(r.valid(), r.problems().toString());
            if (summary(r).path("recovered").asBoolean()) {
                return summary(r);
            }
        }
        throw new AssertionError("no recovered bundle");
    }

    private static List<String> outcomes(JsonNode summary) {
        List<String> out = new ArrayList<>();
        summary.path("suites").forEach(s -> out.add(s.path("suiteId").asText() + "=" + s.path("outcome").asText()));
        return out;
    }

    @Test
    @Timeout(120)
    void aJournalOfRandomBytesIsQuarantinedNotDeletedAndTheStationGoesOn() throws Exception {
        Path run = killedRun();
        byte[] junk = new byte[4096];
        new java.util.Random(7).nextBytes(junk);
        Files.write(run.resolve("journal.jsonl"), junk);
        Kiln next = nextRun();
        assertEquals(0, next.exit(), next.toString());
        Path kept = state().resolve("quarantine/runs").resolve(run.getFileName());
        assertTrue(Files.isDirectory(kept), "the evidence is kept: " + next.err());
        assertTrue(Files.readString(state().resolve("quarantine/runs").resolve(run.getFileName() + ".reason"))
                .contains("no readable run-start line"));
        assertTrue(next.err().contains("kept as evidence"), next.err());
        Kiln outbox = Kiln.run(dir, "outbox", "--state-dir", state().toString());
        assertEquals(0, outbox.exit(), outbox.toString());
        assertTrue(outbox.out().contains("1 run(s) kept in quarantine/runs/") && outbox.out().contains("quarantined-run"), outbox.out());
    }

    @Test
    @Timeout(120)
    void anEmptyJournalIsKeptToo() throws Exception {
        Path run = killedRun();
        Files.write(run.resolve("journal.jsonl"), new byte[0]);
        Kiln next = nextRun();
        assertEquals(0, next.exit(), next.toString());
        assertTrue(Files.isDirectory(state().resolve("quarantine/runs").resolve(run.getFileName())), next.err());
    }

    @Test
    @Timeout(120)
    void damagedLinesAreNamedAndTheLinesAfterThemAreKept() throws Exception {
        Path run = killedRun();
        Path journal = run.resolve("journal.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        // run-start, then per suite: suite-start, suite-end; then run-end
        int failEnd = -1;
        int runEnd = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"suite-end\"") && lines.get(i).contains("selftest-fail")) {
                failEnd = i;
            }
            if (lines.get(i).contains("\"run-end\"")) {
                runEnd = i;
            }
        }
        assertTrue(failEnd > 0 && runEnd > failEnd, lines.toString());
        lines.add(failEnd, "\u0000garbage in the middle\u0001");                                    // a bad line mid-file
        lines.set(runEnd + 1, lines.get(runEnd + 1).replaceAll("\"ended\":\"[^\"]*\"", "\"ended\":\"yesterday\""));  // bad time
        String passEnd = lines.stream().filter(l -> l.contains("\"suite-end\"") && l.contains("selftest-pass-again")).findFirst()
                .orElseThrow();
        lines.set(lines.indexOf(passEnd), passEnd.replace("\"outcome\":\"PASS\"", "\"outcome\":\"BANANA\""));  // unknown outcome
        Files.write(journal, lines);

        Kiln next = nextRun();
        assertEquals(0, next.exit(), next.toString());
        assertTrue(next.err().contains("recovered run " + run.getFileName()), next.err());
        JsonNode s = recovered();
        // the lines after the damaged one are read: selftest-fail's result (a defect) is there
        assertTrue(outcomes(s).contains("selftest-fail=FAIL"), outcomes(s).toString());
        assertEquals("FAIL", s.path("verdict").asText(), "the defect found before the damage stands");
        String notes = s.path("recoveryNotes").toString();
        assertTrue(notes.contains("journal line " + (failEnd + 1)) && notes.contains("BANANA") && notes.contains("yesterday"), notes);
    }
}
