package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** run → sealed bundle → verify, keys, and the openssl recipe of docs/bundle-format.md. */
class BundleCommandsTest {
    @TempDir
    Path state;

    private Path runOnce() throws Exception {
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites",
                "selftest-pass", "--duration", "300ms");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("is in the outbox " + state.resolve("outbox/pending")), c.out());
        assertTrue(c.err().contains("created station key"), "first run provisions the key and says so: " + c.err());
        return only(state.resolve("outbox/pending"));
    }

    static Path only(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    @Test
    void aRunSealsABundleThatVerifies() throws Exception {
        Path bundle = runOnce();
        assertTrue(bundle.getFileName().toString().endsWith(".kiln.zip"));
        try (Stream<Path> runs = Files.list(state.resolve("runs"))) {
            assertEquals(0, runs.count(), "the run directory is gone once sealed");
        }
        Cli ok = Cli.run("verify", bundle.toString(), "--trust", state.resolve("keys/station.pub").toString());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().startsWith("VALID") && ok.out().contains("verdict PASS"), ok.out());
        Cli dir = Cli.run("verify", bundle.toString(), "--trust", state.resolve("keys").toString(), "--json");
        assertEquals(0, dir.code(), dir.toString());
        assertTrue(dir.out().contains("\"valid\" : true"), dir.out());
    }

    @Test
    void aTamperedBundleIsInvalidWithTheReason() throws Exception {
        Path bundle = runOnce();
        Path copy = state.resolve("copy.kiln.zip");
        byte[] b = Files.readAllBytes(bundle);
        // change one byte of a stored name's content region: find the summary entry's data by rezipping
        var entries = new java.util.TreeMap<>(dev.kiln.bundle.BundleReader.read(b, dev.kiln.bundle.BundleLimits.defaults()));
        byte[] s = entries.get("results/summary.json");
        s[10] ^= 1;
        try (var out = Files.newOutputStream(copy)) {
            dev.kiln.bundle.DeterministicZip.write(entries, out);
        }
        Cli bad = Cli.run("verify", copy.toString(), "--trust", state.resolve("keys/station.pub").toString());
        assertEquals(65, bad.code(), bad.toString());
        assertTrue(bad.out().contains("digest mismatch on file results/summary.json"), bad.out());

        Path other = Files.createDirectories(state.resolve("otherkeys"));
        assertEquals(0, Cli.run("keys", "--state-dir", other.toString(), "init").code());
        Cli untrusted = Cli.run("verify", bundle.toString(), "--trust", other.resolve("keys/station.pub").toString());
        assertEquals(65, untrusted.code());
        assertTrue(untrusted.out().contains("signed by untrusted key"), untrusted.out());

        Cli noTrust = Cli.run("verify", bundle.toString(), "--trust", state.resolve("nope.pub").toString());
        assertEquals(78, noTrust.code(), noTrust.toString());
        Cli noBundle = Cli.run("verify", state.resolve("nope.zip").toString(), "--trust", state.resolve("keys").toString());
        assertEquals(65, noBundle.code(), noBundle.toString());
    }

    @Test
    void keysInitRefusesToOverwriteAndShowPrintsThePublicHalf() throws Exception {
        Cli init = Cli.run("keys", "--state-dir", state.toString(), "init");
        assertEquals(0, init.code(), init.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("keys/station.key"))));
        Cli again = Cli.run("keys", "--state-dir", state.toString(), "init");
        assertEquals(78, again.code());
        assertTrue(again.err().contains("--force"), again.err());
        Cli show = Cli.run("keys", "--state-dir", state.toString(), "show");
        assertEquals(0, show.code());
        assertTrue(show.out().startsWith("-----BEGIN PUBLIC KEY-----") && show.out().contains("keyid "), show.out());
        assertTrue(!show.out().contains("PRIVATE"), "never shows the private key");
        assertEquals(0, Cli.run("keys", "--state-dir", state.toString(), "init", "--force").code());
    }

    @Test
    void aKeyOpenToOthersStopsTheRunBeforeItStarts() throws Exception {
        assertEquals(0, Cli.run("keys", "--state-dir", state.toString(), "init").code());
        Files.setPosixFilePermissions(state.resolve("keys/station.key"), PosixFilePermissions.fromString("rw-r--r--"));
        Cli c = Cli.run("run", "--state-dir", state.toString(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass");
        assertEquals(78, c.code(), c.toString());
        assertTrue(c.err().contains("chmod 600"), c.err());
        assertEquals("", c.out(), "nothing ran");
        Cli missing = Cli.run("run", "--state-dir", state.toString(), "--key", state.resolve("elsewhere.key").toString(),
                "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass");
        assertEquals(78, missing.code(), missing.toString());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    static boolean toolsPresent() {
        return Stream.of("openssl", "unzip", "bash").allMatch(t -> Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, t))));
    }

    /** The recipe in docs/bundle-format.md, run for real, on a real bundle; and it catches a forgery. */
    @Test
    @EnabledIf("toolsPresent")
    void theOpensslRecipeVerifiesARealBundle() throws Exception {
        Path bundle = runOnce();
        Path script = Path.of("../../docs/verify-with-openssl.sh").toAbsolutePath().normalize();
        assertTrue(Files.exists(script), script.toString());
        Process p = new ProcessBuilder("bash", script.toString(), bundle.toString(), state.resolve("keys/station.pub").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("Signature Verified Successfully") && out.contains("bundle verified"), out);

        var entries = new java.util.TreeMap<>(dev.kiln.bundle.BundleReader.read(Files.readAllBytes(bundle),
                dev.kiln.bundle.BundleLimits.defaults()));
        entries.get("logs/agent.log")[0] ^= 1;
        Path forged = state.resolve("forged.kiln.zip");
        try (var o = Files.newOutputStream(forged)) {
            dev.kiln.bundle.DeterministicZip.write(entries, o);
        }
        Process q = new ProcessBuilder("bash", script.toString(), forged.toString(), state.resolve("keys/station.pub").toString())
                .redirectErrorStream(true).start();
        String qout = new String(q.getInputStream().readAllBytes());
        assertTrue(q.waitFor() != 0, qout);
        assertTrue(qout.contains("logs/agent.log: FAILED"), qout);
    }
}
