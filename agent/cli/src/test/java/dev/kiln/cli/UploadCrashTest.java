package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.acceptance.ServiceOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL the uploader mid-transfer, restart it: the bundle is delivered, and stored once. */
@Timeout(90)
class UploadCrashTest {
    @TempDir
    Path root;

    private void killMidTransferThenRestart(FaultProxy.Kind stall, long expectedDuplicates) throws Exception {
        try (ServiceFixture svc = new ServiceFixture(root, ServiceOptions.plain());
             FaultProxy proxy = new FaultProxy(svc.server.port())) {
            proxy.then(FaultProxy.Fault.of(stall));
            Path bundle = svc.seal(ServiceFixture.runId(), "PASS");
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path"), "dev.kiln.cli.Main", "upload",
                    "--state-dir", svc.state.root().toString(), "--service", "http://127.0.0.1:" + proxy.port()));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (proxy.bodyBytesSeen.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertTrue(proxy.bodyBytesSeen.get() > 0, "the transfer started");
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertTrue(Files.exists(bundle), "still pending after the kill");
            long storedBefore = svc.index.count();

            Cli again = Cli.run("upload", "--state-dir", svc.state.root().toString(), "--service", svc.url());
            assertEquals(0, again.code(), again.toString());
            assertTrue(!Files.exists(bundle));
            assertEquals(1, svc.index.count(), "stored once (it was stored before the kill: " + storedBefore + ")");
            assertEquals(expectedDuplicates, storedBefore);
            try (var s = Files.list(svc.state.sent())) {
                assertEquals(1, s.filter(x -> x.toString().endsWith(".receipt.json")).count());
            }
        }
    }

    @Test
    void killedWhileTheBodyWasOnTheWire() throws Exception {
        killMidTransferThenRestart(FaultProxy.Kind.STALL_MID_BODY, 0);
    }

    @Test
    void killedAfterTheServiceStoredItButBeforeTheReceiptArrived() throws Exception {
        killMidTransferThenRestart(FaultProxy.Kind.STALL_AFTER_FORWARD, 1);
    }
}
