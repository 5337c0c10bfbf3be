package dev.kiln.core.upload;

import dev.kiln.core.ExitCode;
import dev.kiln.core.outbox.Station;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** What the delivering commands share: the outbox check at start, the uploader, the exit code. */
public final class Delivery {
    private Delivery() {
    }

    /** Re-verifies pending bundles against the station's own keys, quarantining damaged ones. */
    public static void checkOutbox(Station station, Consumer<String> notice) {
        try {
            station.outbox().checkPending(station.keys().ownKeys(), notice);
        } catch (IOException e) {
            notice.accept("cannot check the outbox: " + e.getMessage());
        }
    }

    /** The uploader of this station's outbox; sent bundles are kept {@code sentRetention} (the config's {@code outbox.sentRetention}). */
    public static Uploader uploader(ServiceConfig service, Station station, java.time.Duration sentRetention, Consumer<String> log) {
        return new Uploader(service, station.outbox(), sentRetention, Clock.systemUTC(),
                d -> Thread.sleep(d), new SplittableRandom(), log);
    }

    /**
     * Delivers a run's bundle after its verdict was shown, trying for {@code wait} (the config's
     * {@code service.runWait}); says what happened; returns true when delivered.
     */
    public static boolean afterRun(ServiceConfig svc, Station station, java.time.Duration sentRetention, java.time.Duration wait,
                                   java.nio.file.Path bundle, String what, Consumer<String> say) {
        Uploader.Delivery d;
        try {
            d = uploader(svc, station, sentRetention, line -> { }).deliver(bundle, java.time.Instant.now().plus(wait));
        } catch (IOException e) {
            d = new Uploader.Delivery(bundle, Uploader.Outcome.PENDING, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d = new Uploader.Delivery(bundle, Uploader.Outcome.PENDING, "interrupted");
        }
        say.accept(switch (d.outcome()) {
            case DELIVERED -> what + " delivered to " + svc.url() + ", receipt sha256 " + d.detail();
            case QUARANTINED -> what + " REFUSED by " + svc.url() + " and quarantined: " + d.detail();
            case GONE -> what + " was taken out of the outbox by hand (" + d.detail() + ")";
            default -> what + " not delivered yet (" + d.detail() + "); it stays in the outbox for kiln upload";
        });
        return d.outcome() == Uploader.Outcome.DELIVERED;
    }

    /** 78 when the service refused us, 69 when bundles wait, 65 when one was refused as bad, else 0. */
    public static ExitCode exitCode(List<Uploader.Delivery> deliveries) {
        if (deliveries.stream().anyMatch(d -> d.outcome() == Uploader.Outcome.NOT_ALLOWED)) {
            return ExitCode.CONFIG;
        }
        if (deliveries.stream().anyMatch(d -> d.outcome() == Uploader.Outcome.PENDING)) {
            return ExitCode.UNAVAILABLE;
        }
        if (deliveries.stream().anyMatch(d -> d.outcome() == Uploader.Outcome.QUARANTINED)) {
            return ExitCode.DATA;
        }
        return ExitCode.PASS;
    }
}
