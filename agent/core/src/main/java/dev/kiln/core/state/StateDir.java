package dev.kiln.core.state;

import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent's state on disk (DESIGN §7):
 * <pre>
 * runs/&lt;runId&gt;/journal.jsonl, ocptv.jsonl, agent.log, telemetry.csv, inventory.json
 * outbox/pending/*.kiln.zip     sealed, waiting for delivery
 * outbox/sent/*.receipt.json    receipts (and the bundles, for the retention period)
 * outbox/quarantine/            refused or damaged bundles, each with a .reason file
 * outbox/status/                delivery attempts of pending bundles
 * outbox/tmp/                   staging for atomic writes (never read as bundles)
 * keys/station.key, station.pub
 * </pre>
 */
public record StateDir(Path root) {

    /**
     * {@code --state-dir}, else {@code KILN_STATE_DIR}, else {@code /var/lib/kiln} for root on Linux,
     * {@code /Library/Application Support/Kiln} for root on macOS, else the user's state directory
     * ({@code $XDG_STATE_HOME/kiln} or {@code ~/.local/state/kiln}; {@code ~/Library/Application Support/Kiln} on macOS).
     */
    public static StateDir resolve(Path flag) {
        if (flag != null) {
            return new StateDir(flag.toAbsolutePath());
        }
        String env = System.getenv("KILN_STATE_DIR");
        if (env != null && !env.isBlank()) {
            return new StateDir(Path.of(env).toAbsolutePath());
        }
        return new StateDir(dev.kiln.core.platform.PlatformProbe.current().defaultStateDir("root".equals(System.getProperty("user.name")),
                Path.of(System.getProperty("user.home")), System.getenv("XDG_STATE_HOME")));
    }

    public Path runs() {
        return root.resolve("runs");
    }

    public Path run(String runId) {
        return runs().resolve(runId);
    }

    public Path pending() {
        return root.resolve("outbox/pending");
    }

    public Path tmp() {
        return root.resolve("outbox/tmp");
    }

    public Path sent() {
        return root.resolve("outbox/sent");
    }

    public Path quarantine() {
        return root.resolve("outbox/quarantine");
    }

    /** Delivery attempts per pending bundle (attempts, last error), beside the outbox. */
    public Path deliveryStatus() {
        return root.resolve("outbox/status");
    }



    /** Files suites keep from run to run (compiled models), one directory per suite; never results. */
    public Path cache() {
        return root.resolve("cache");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    /** Creates the directories; a failure is exit 73 (cannot write). */
    public StateDir create() {
        try {
            for (Path p : new Path[] {runs(), pending(), tmp(), sent(), quarantine(), deliveryStatus(), keys()}) {
                Files.createDirectories(p);
            }
            return this;
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot create the state directory " + root + ": " + dev.kiln.bundle.Why.of(e));
        }
    }
}
