package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Uploader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every delivery fault against the real service behind a fault-injecting proxy on loopback. After
 * each: nothing lost (the bundle is pending, sent or quarantined), nothing stored twice, the right
 * bundles quarantined with the right reason.
 */
@Timeout(60)
class UploaderFaultTest {
    @TempDir
    Path root;

    ServiceFixture svc;
    FaultProxy proxy;

    void start(ServiceOptions options) throws Exception {
        svc = new ServiceFixture(root, options);
        proxy = new FaultProxy(svc.server.port());
    }

    void start() throws Exception {
        start(ServiceOptions.plain());
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (svc != null) {
            svc.close();
        }
    }

    Uploader uploader(String url, Duration timeout) {
        ServiceConfig c = new ServiceConfig(ServiceConfig.parseUrl(url), null, null, null, null, timeout, Duration.ofMillis(20),
                Duration.ofMillis(100));
        return new Uploader(c, new Outbox(svc.state, Clock.systemUTC()), Duration.ofDays(1), Clock.systemUTC(), d -> Thread.sleep(d),
                new SplittableRandom(1), line -> { });
    }

    Uploader viaProxy() {
        return uploader("http://127.0.0.1:" + proxy.port(), Duration.ofSeconds(5));
    }

    static long count(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    void deliveredOnce(Uploader.Delivery d, Path bundle) throws Exception {
        assertEquals(Uploader.Outcome.DELIVERED, d.outcome(), d.detail());
        assertFalse(Files.exists(bundle), "left pending/");
        assertEquals(1, count(svc.state.sent(), ".receipt.json"), "receipt kept");
        assertEquals(1, svc.index.count(), "stored once");
        assertTrue(svc.index.find(Outbox.runId(bundle)).orElseThrow().sha256().equals(d.detail()), "receipt digest is the bundle's");
    }

    @Test
    void connectionRefusedLeavesItPendingThenItIsDelivered() throws Exception {
        start();
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Uploader.Delivery d = uploader("http://127.0.0.1:" + closed, Duration.ofSeconds(2)).deliver(b, Instant.now().plusMillis(500));
        assertEquals(Uploader.Outcome.PENDING, d.outcome());
        assertTrue(d.detail().contains("cannot connect"), d.detail());
        assertTrue(Files.exists(b), "nothing lost");
        var entry = new Outbox(svc.state, Clock.systemUTC()).list().get(0);
        assertTrue(entry.attempts() >= 1 && entry.detail().contains("cannot connect"), entry.toString());
        deliveredOnce(viaProxy().deliver(b, null), b);
    }

    @Test
    void resetMidBodyIsRetried() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.of(FaultProxy.Kind.RESET_MID_BODY));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(viaProxy().deliver(b, null), b);
        assertTrue(proxy.seen.size() >= 2);
    }

    @Test
    void aResponseLostAfterTheServiceStoredItIsResolvedByAskingFirst() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.of(FaultProxy.Kind.LOSE_RESPONSE));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(viaProxy().deliver(b, null), b);
        assertEquals("PUT", proxy.seen.get(0).split(" ")[0]);
        assertEquals("GET", proxy.seen.get(1).split(" ")[0], "asked before sending again: " + proxy.seen);
        assertEquals(2, proxy.seen.size(), "and did not send it again: " + proxy.seen);
    }

    @Test
    void aSlowAnswerPastTheTimeoutIsCheckedNotResent() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.slow(3000));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(uploader("http://127.0.0.1:" + proxy.port(), Duration.ofMillis(700)).deliver(b, null), b);
        assertEquals("GET", proxy.seen.get(1).split(" ")[0], proxy.seen.toString());
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.status(503, "1"));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        long t0 = System.nanoTime();
        deliveredOnce(viaProxy().deliver(b, null), b);
        assertTrue(System.nanoTime() - t0 >= 950_000_000L, "waited for Retry-After: 1");
    }

    @Test
    void aBurstOf500sIsRiddenOut() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.status(500, null), FaultProxy.Fault.status(500, null), FaultProxy.Fault.status(502, null),
                FaultProxy.Fault.status(500, null));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(viaProxy().deliver(b, null), b);
        assertEquals(5, proxy.seen.size());
    }

    @Test
    void garbageIsNotAReceipt() throws Exception {
        start();
        proxy.then(FaultProxy.Fault.of(FaultProxy.Kind.GARBAGE));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(viaProxy().deliver(b, null), b);
        assertEquals("GET", proxy.seen.get(1).split(" ")[0], "a garbled answer is ambiguous: " + proxy.seen);
    }

    @Test
    void anOversizedBundleIsQuarantinedWith413() throws Exception {
        start(ServiceOptions.plain().withMaxBundleBytes(100));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        Uploader.Delivery d = viaProxy().deliver(b, null);
        assertEquals(Uploader.Outcome.QUARANTINED, d.outcome());
        assertTrue(d.detail().contains("413") && d.detail().contains("over the limit"), d.detail());
        Path q = svc.state.quarantine().resolve(b.getFileName());
        assertTrue(Files.exists(q), "kept, not lost");
        assertTrue(Files.readString(q.resolveSibling(b.getFileName() + ".reason")).contains("413"));
        assertEquals(0, svc.index.count());
    }

    @Test
    void aTamperedBundleIsQuarantinedWith422() throws Exception {
        start();
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        byte[] bytes = Files.readAllBytes(b);
        bytes[bytes.length / 3] ^= 1;
        Files.write(b, bytes);
        Uploader.Delivery d = viaProxy().deliver(b, null);
        assertEquals(Uploader.Outcome.QUARANTINED, d.outcome());
        assertTrue(d.detail().startsWith("refused (422)"), d.detail());
        assertEquals(0, svc.index.count(), "never stored as accepted");
    }

    @Test
    void anotherBundleForTheSameRunIsQuarantinedWith409() throws Exception {
        start();
        String run = ServiceFixture.runId();
        Path first = svc.seal(run, "PASS");
        deliveredOnce(viaProxy().deliver(first, null), first);
        Path second = svc.seal(run, "FAIL");
        Uploader.Delivery d = viaProxy().deliver(second, null);
        assertEquals(Uploader.Outcome.QUARANTINED, d.outcome());
        assertTrue(d.detail().contains("409"), d.detail());
        assertEquals("PASS", svc.index.find(run).orElseThrow().verdict(), "the stored one is untouched");
    }

    @Test
    void aRefusedTokenStopsWithoutLosingAnything() throws Exception {
        start(ServiceOptions.plain().withToken("s3cret"));
        Path b = svc.seal(ServiceFixture.runId(), "PASS");
        Uploader.Delivery d = viaProxy().deliver(b, null);
        assertEquals(Uploader.Outcome.NOT_ALLOWED, d.outcome());
        assertTrue(d.detail().contains("401"), d.detail());
        assertTrue(Files.exists(b));
        ServiceConfig withToken = new ServiceConfig(ServiceConfig.parseUrl(svc.url()), "s3cret", null, null, null, Duration.ofSeconds(5),
                Duration.ofMillis(20), Duration.ofMillis(100));
        Uploader ok = new Uploader(withToken, new Outbox(svc.state, Clock.systemUTC()), Duration.ZERO, Clock.systemUTC(),
                x -> Thread.sleep(x), new SplittableRandom(2), line -> { });
        assertEquals(Uploader.Outcome.DELIVERED, ok.deliver(b, null).outcome());
        assertEquals(0, count(svc.state.sent(), ".kiln.zip"), "retention 0: only the receipt is kept");
    }

    @Test
    void drainDeliversOldestFirst() throws Exception {
        start();
        Path a = svc.seal(ServiceFixture.runId(), "PASS");
        Thread.sleep(2);
        Path b = svc.seal(ServiceFixture.runId(), "FAIL");
        var all = viaProxy().drain(null);
        assertEquals(2, all.size());
        assertEquals(a, all.get(0).bundle());
        assertEquals(b, all.get(1).bundle());
        assertEquals(2, svc.index.count());
    }

    @Test
    void aBundleAnotherProcessTookOutIsReportedAsWhatBecameOfItNeverBlindlyDelivered() throws Exception {
        start();
        Path sent = svc.seal(ServiceFixture.runId(), "PASS");
        deliveredOnce(viaProxy().deliver(sent, null), sent);
        Uploader.Delivery again = viaProxy().deliver(sent, null); // as a second process finds it once the first is done
        assertEquals(Uploader.Outcome.DELIVERED, again.outcome(), again.detail());
        assertTrue(again.detail().contains("delivered by another process"), again.detail());

        Path refused = svc.seal(ServiceFixture.runId(), "PASS");
        new Outbox(svc.state, Clock.systemUTC()).quarantine(refused, "refused (422): test");
        Uploader.Delivery q = viaProxy().deliver(refused, null);
        assertEquals(Uploader.Outcome.QUARANTINED, q.outcome(), "never 'delivered' for a bundle the service refused: " + q.detail());
        assertTrue(q.detail().contains("refused (422): test"), q.detail());

        Path removed = svc.seal(ServiceFixture.runId(), "PASS");
        Files.delete(removed);
        assertEquals(Uploader.Outcome.GONE, viaProxy().deliver(removed, null).outcome());
        assertEquals(1, svc.index.count(), "nothing sent for any of them a second time");
    }
}
