package dev.kiln.core.upload;

import dev.kiln.core.ExitCode;
import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
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
    public static void checkOutbox(StateDir state, Consumer<String> notice) {
        try {
            new Outbox(state, Clock.systemUTC()).checkPending(KeyStore.in(state).ownKeys(), notice);
        } catch (IOException e) {
            notice.accept("cannot check the outbox: " + e.getMessage());
        }
    }

    public static Uploader uploader(ServiceConfig service, StateDir state, KilnConfig.Loaded config, Consumer<String> log) {
        return new Uploader(service, new Outbox(state, Clock.systemUTC()), config.sentRetention(), Clock.systemUTC(),
                d -> Thread.sleep(d), new SplittableRandom(), log);
    }

    /**
     * Delivers a run's bundle after its verdict was shown, trying for the configured wait; says what
     * happened; returns true when delivered.
     */
    public static boolean afterRun(ServiceConfig svc, StateDir state, KilnConfig.Loaded cfg, java.nio.file.Path bundle, String what,
                            Consumer<String> say) {
        Uploader.Delivery d;
        try {
            d = uploader(svc, state, cfg, line -> { }).deliver(bundle, java.time.Instant.now().plus(cfg.runWait()));
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
