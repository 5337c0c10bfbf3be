package dev.kiln.core.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.Receipt;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The durable outbox (DESIGN §6–7): one immutable file per sealed bundle in {@code pending/};
 * {@code sent/} keeps receipts (and the bundle for a retention period); {@code quarantine/} holds
 * refused or damaged bundles beside a {@code .reason} file. A bundle leaves {@code pending/} only
 * with a receipt whose digest matches, or into quarantine with the reason. Nothing is deleted
 * without a receipt.
 */
public final class Outbox {
    private static final String SUFFIX = ".kiln.zip";

    private final StateDir state;
    private final Clock clock;

    public Outbox(StateDir state, Clock clock) {
        this.state = state;
        this.clock = clock;
    }

    /** Pending bundles, oldest run first (run ids are time-ordered UUIDv7). */
    public List<Path> pending() throws IOException {
        try (Stream<Path> s = Files.list(state.pending())) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted((a, b) -> runId(a).compareTo(runId(b))).toList();
        }
    }

    /** The run id in {@code <serial>_<runId>.kiln.zip}. */
    public static String runId(Path bundle) {
        String n = bundle.getFileName().toString();
        return n.substring(n.lastIndexOf('_') + 1, n.length() - SUFFIX.length());
    }

    private static String base(Path bundle) {
        String n = bundle.getFileName().toString();
        return n.substring(0, n.length() - SUFFIX.length());
    }

    /** Records a failed delivery attempt: count, time and error, beside the outbox. */
    public void recordAttempt(Path bundle, String error) {
        Path status = state.deliveryStatus().resolve(base(bundle) + ".json");
        try {
            int attempts = 0;
            if (Files.exists(status)) {
                attempts = Json.MAPPER.readTree(status.toFile()).path("attempts").asInt(0);
            }
            ObjectNode n = Json.MAPPER.createObjectNode().put("attempts", attempts + 1).put("lastAttempt", clock.instant().toString())
                    .put("lastError", error);
            AtomicFiles.write(status, Json.MAPPER.writeValueAsBytes(n), state.tmp());
        } catch (IOException e) {
            // the status file is a convenience for `kiln outbox`; the bundle itself is untouched
        }
    }

    /** Moves a delivered bundle out of pending/, keeping the receipt (and the bundle while retained). */
    public void markSent(Path bundle, Receipt receipt, Duration retention) throws IOException {
        byte[] json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(receipt);
        AtomicFiles.write(state.sent().resolve(base(bundle) + ".receipt.json"), json, state.tmp());
        if (retention.isZero() || retention.isNegative()) {
            Files.delete(bundle);
        } else {
            Files.move(bundle, state.sent().resolve(bundle.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.fsyncDirectory(state.sent());
        }
        AtomicFiles.fsyncDirectory(state.pending());
        Files.deleteIfExists(state.deliveryStatus().resolve(base(bundle) + ".json"));
    }

    /** Moves a bundle to quarantine/ with its reason. */
    public Path quarantine(Path bundle, String reason) throws IOException {
        Path target = state.quarantine().resolve(bundle.getFileName());
        AtomicFiles.write(state.quarantine().resolve(bundle.getFileName() + ".reason"),
                (clock.instant() + " " + reason + "\n").getBytes(StandardCharsets.UTF_8), state.tmp());
        Files.move(bundle, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(state.quarantine());
        AtomicFiles.fsyncDirectory(bundle.getParent());
        Files.deleteIfExists(state.deliveryStatus().resolve(base(bundle) + ".json"));
        return target;
    }

    /**
     * Re-reads, re-hashes and re-verifies every pending bundle against the station's own keys; a
     * damaged one goes to quarantine with the reason. Never throws for a bad bundle, never deletes.
     */
    public int checkPending(TrustStore ownKeys, Consumer<String> notice) throws IOException {
        int quarantined = 0;
        BundleVerifier verifier = new BundleVerifier(ownKeys, BundleLimits.defaults());
        for (Path p : pending()) {
            String problem;
            try {
                BundleVerifier.Result r = verifier.verify(Files.readAllBytes(p));
                problem = r.valid() ? null : String.join("; ", r.problems());
                if (problem == null && !r.predicate().path("runId").asText().equals(runId(p))) {
                    problem = "file name says run " + runId(p) + " but the bundle is run " + r.predicate().path("runId").asText();
                }
            } catch (IOException | OutOfMemoryError e) {
                problem = "unreadable: " + e.getMessage();
            }
            if (problem != null) {
                quarantine(p, "damaged in the outbox: " + problem);
                notice.accept("quarantined damaged bundle " + p.getFileName() + ": " + problem);
                quarantined++;
            }
        }
        return quarantined;
    }

    /** Deletes delivered bundles kept longer than the retention; their receipts stay. */
    public void pruneSent(Duration retention) throws IOException {
        Instant cutoff = clock.instant().minus(retention);
        try (Stream<Path> s = Files.list(state.sent())) {
            for (Path p : s.filter(x -> x.getFileName().toString().endsWith(SUFFIX)).toList()) {
                if (Files.exists(state.sent().resolve(base(p) + ".receipt.json"))
                        && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Refuses to start a run when the state directory's disk has less than {@code minFree} bytes free. */
    public void requireFreeSpace(long minFree) {
        try {
            long free = Files.getFileStore(state.pending()).getUsableSpace();
            if (free < minFree) {
                throw new KilnException(ExitCode.CANT_WRITE, "only " + (free >> 20) + " MiB free under " + state.root()
                        + ", less than the " + (minFree >> 20) + " MiB a run needs; undelivered bundles are never evicted: "
                        + "deliver them (kiln upload) or free space");
            }
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot check free space under " + state.root() + ": " + e.getMessage());
        }
    }

    /**
     * One line of {@code kiln outbox}.
     *
     * @param state    pending, sent or quarantined
     * @param name     file name
     * @param bytes    size (0 when only a receipt is left)
     * @param age      since the file was written
     * @param attempts delivery attempts so far (pending)
     * @param detail   last error (pending), receipt digest (sent) or reason (quarantined)
     */
    public record Entry(String state, String name, long bytes, Duration age, int attempts, String detail) {
    }

    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        Instant now = clock.instant();
        for (Path p : pending()) {
            Path status = state.deliveryStatus().resolve(base(p) + ".json");
            int attempts = 0;
            String error = "";
            if (Files.exists(status)) {
                JsonNode s = Json.MAPPER.readTree(status.toFile());
                attempts = s.path("attempts").asInt();
                error = s.path("lastError").asText();
            }
            out.add(new Entry("pending", p.getFileName().toString(), Files.size(p), age(p, now), attempts, error));
        }
        try (Stream<Path> s = Files.list(state.sent())) {
            for (Path r : s.filter(x -> x.toString().endsWith(".receipt.json")).sorted().toList()) {
                String name = r.getFileName().toString().replace(".receipt.json", SUFFIX);
                Path kept = state.sent().resolve(name);
                JsonNode receipt = Json.MAPPER.readTree(r.toFile());
                out.add(new Entry("sent", name, Files.exists(kept) ? Files.size(kept) : 0, age(r, now), 0,
                        "receipt " + receipt.path("sha256").asText() + " at " + receipt.path("receivedAt").asText()));
            }
        }
        try (Stream<Path> s = Files.list(state.quarantine())) {
            for (Path q : s.filter(x -> x.toString().endsWith(SUFFIX)).sorted().toList()) {
                Path reason = q.resolveSibling(q.getFileName() + ".reason");
                out.add(new Entry("quarantined", q.getFileName().toString(), Files.size(q), age(q, now), 0,
                        Files.exists(reason) ? Files.readString(reason).strip() : ""));
            }
        }
        return out;
    }

    private static Duration age(Path p, Instant now) throws IOException {
        return Duration.between(Files.getLastModifiedTime(p).toInstant(), now);
    }
}
