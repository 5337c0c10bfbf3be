package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The acceptance service as its own process (its own JVM, so its connection limits, which are
 * per-process system properties, are its own), on a free port, its output kept flowing.
 */
final class ServiceProcess implements AutoCloseable {
    final Process process;
    final String base;
    final String said;

    private ServiceProcess(Process process, String base, String said) {
        this.process = process;
        this.base = base;
        this.said = said;
    }

    /** Starts {@code Main} with these JVM options and arguments (add --port 0 and the rest). */
    static ServiceProcess start(List<String> jvm, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.kiln.acceptance.Main"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
        Matcher m = null;
        StringBuilder said = new StringBuilder();
        for (String l; (l = lines.readLine()) != null; ) {
            said.append(l).append('\n');
            Matcher x = listening.matcher(l);
            if (x.find()) {
                m = x;
                said.append(lines.readLine()).append('\n'); // the limits line
                break;
            }
        }
        assertTrue(m != null, "the service said where it listens: " + said);
        Thread.ofPlatform().daemon().start(() -> lines.lines().forEach(l -> { }));
        return new ServiceProcess(p, "http://127.0.0.1:" + m.group(1), said.toString());
    }

    int port() {
        return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    }

    static String digest(byte[] b) throws Exception {
        return "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)) + ":";
    }

    static HttpResponse<String> put(HttpClient http, String base, String runId, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + runId)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", digest(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
