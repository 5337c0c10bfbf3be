package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad flags and files at start: one line and 64/78, never a stack trace and exit 1. */
class StartupTest {
    @TempDir
    Path dir;

    private record Ran(int code, String err) {
    }

    private Ran run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8), args);
        return new Ran(code, e.toString(StandardCharsets.UTF_8));
    }

    private String trust() throws Exception {
        return Files.writeString(dir.resolve("s.pub"), Pem.encodePublic(StationKey.generate().publicKey())).toString();
    }

    private static void oneLine(Ran r) {
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void badFlagsAndFilesAreOneLineWithTheirCode() throws Exception {
        Ran port = run("--port", "99999", "--data", dir.resolve("d").toString(), "--trust", trust());
        assertEquals(64, port.code(), port.err());
        oneLine(port);

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Ran data = run("--port", "0", "--data", file.toString(), "--trust", trust());
        assertEquals(78, data.code(), data.err());
        assertTrue(data.err().contains("is not a directory"), data.err());
        oneLine(data);

        for (String n : new String[] {"0", "-1"}) {
            Ran max = run("--port", "0", "--data", dir.resolve("d").toString(), "--trust", trust(), "--max-bundle-bytes", n);
            assertEquals(64, max.code(), max.err());
            oneLine(max);
        }

        Path empty = Files.writeString(dir.resolve("token"), "  \n");
        Ran token = run("--port", "0", "--data", dir.resolve("d").toString(), "--trust", trust(), "--token-file", empty.toString());
        assertEquals(78, token.code(), token.err());
        assertTrue(token.err().contains("is empty"), token.err());
        oneLine(token);

        for (String[] bad : new String[][] {{"--max-ingests", "0", "--max-ingests must be at least 1"},
                {"--max-connections", "0", "--max-connections must be at least 1"},
                {"--max-request-time", "10x", "--max-request-time: '10x' is not a duration"},
                {"--idle-timeout", "500ms", "--idle-timeout must be at least 1s"}}) {
            Ran r = run("--port", "0", "--data", dir.resolve("d").toString(), "--trust", trust(), bad[0], bad[1]);
            assertEquals(64, r.code(), r.err());
            assertTrue(r.err().contains(bad[2]), r.err());
            oneLine(r);
        }

        Ran unknown = run("--port", "0", "--bogus");
        assertEquals(64, unknown.code(), unknown.err());
        oneLine(unknown);
    }

    @Test
    void aPortInUseIsAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Ran r = run("--port", Integer.toString(taken.getLocalPort()), "--data", dir.resolve("d").toString(), "--trust", trust());
            assertEquals(64, r.code(), r.err());
            assertTrue(r.err().contains("cannot listen on"), r.err());
            oneLine(r);
        }
    }
}
