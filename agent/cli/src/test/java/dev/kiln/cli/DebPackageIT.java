package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.state.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/build-deb.sh as a release would run it, then the package as a fleet tool uses it: installed
 * with {@code dpkg -i}, {@code kiln --version} and {@code kiln doctor} run from it with no JDK on PATH,
 * its man page and completion in place, removed with {@code dpkg -r} leaving /var/lib/kiln (the station
 * key and undelivered results) as it was. Needs root and dpkg: it changes the machine's packages
 * ({@code .ci/run} runs as root on a fresh machine).
 */
class DebPackageIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent().getParent();

    private record Result(int code, String out) {
    }

    private static Result exec(Path dir, Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile("kiln-deb", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    @Test
    @Timeout(900)
    void installedRunAndRemovedKeepingTheState(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("user.name").equals("root")
                && Files.isExecutable(Path.of("/usr/bin/dpkg")) && Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
                "needs Linux, root and dpkg: it installs and removes a package");
        Result build = exec(REPO, null, "bash", "packaging/build-deb.sh", tmp.resolve("dist").toString());
        assertEquals(0, build.code(), build.out());
        Path deb = Path.of(build.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(deb.getFileName().toString().matches("kiln_.+_(amd64|arm64)\\.deb"), deb.toString());
        System.out.printf("kiln .deb: %.1f MiB%n", Files.size(deb) / (double) (1 << 20));
        String contents = exec(tmp, null, "dpkg-deb", "-c", deb.toString()).out();
        for (String f : List.of("./opt/kiln/kiln", "./opt/kiln/runtime/bin/java", "./opt/kiln/lib/kiln.jar", "./usr/bin/kiln -> /opt/kiln/kiln",
                "./lib/systemd/system/kiln-burnin.service", "./usr/share/man/man1/kiln.1.gz", "./usr/share/bash-completion/completions/kiln")) {
            assertTrue(contents.contains(f), f + " in\n" + contents);
        }
        Path marker = Path.of("/var/lib/kiln/kept-by-DebPackageIT");
        try {
            Result install = exec(tmp, null, "dpkg", "-i", deb.toString());
            assertEquals(0, install.code(), install.out());
            assertTrue(Files.isDirectory(Path.of("/var/lib/kiln")), "the state directory made at install");
            Map<String, String> bare = Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString()); // no JDK, no JAVA_HOME
            Result version = exec(tmp, bare, "kiln", "--version");
            assertEquals(0, version.code(), version.out());
            assertTrue(version.out().lines().anyMatch(l -> l.startsWith("kiln ")), version.out());
            Result doctor = exec(tmp, bare, "kiln", "doctor", "--json", "--state-dir", tmp.resolve("state").toString());
            assertTrue(doctor.code() == 0 || doctor.code() == 2, doctor.out());
            JsonNode d = Json.MAPPER.readTree(doctor.out().substring(doctor.out().indexOf('{')));
            assertTrue(d.path("checks").size() >= 10, doctor.out());
            String man = exec(tmp, null, "sh", "-c", "zcat /usr/share/man/man1/kiln.1.gz").out();
            assertTrue(man.startsWith(".TH KILN 1") && man.contains(".SS kiln doctor") && man.contains(".SS kiln config check"), man);
            String completion = Files.readString(Path.of("/usr/share/bash-completion/completions/kiln"));
            assertTrue(completion.contains("complete -F") && completion.contains("doctor") && completion.contains("--state-dir"), completion);
            Files.writeString(marker, "a station's results\n");

            Result remove = exec(tmp, null, "dpkg", "-r", "kiln");
            assertEquals(0, remove.code(), remove.out());
            assertFalse(Files.exists(Path.of("/opt/kiln/kiln")), "the program is gone");
            assertFalse(Files.exists(Path.of("/usr/bin/kiln"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.exists(marker), "what was in /var/lib/kiln is kept");
        } finally {
            Files.deleteIfExists(marker);
            exec(tmp, null, "dpkg", "-r", "kiln"); // whatever happened above, the machine is left without it
        }
    }
}
