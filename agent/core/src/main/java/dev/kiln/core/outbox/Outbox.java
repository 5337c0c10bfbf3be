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
import java.nio.file.LinkOption;
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

    public StateDir state() {
        return state;
    }

    /** Pending bundles, oldest run first (run ids are time-ordered UUIDv7). */
    public List<Path> pending() throws IOException {
        try (Stream<Path> s = Files.list(state.pending())) {
            // regular files only: a FIFO or a device named like a bundle would hang a reader
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
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

    /**
     * Records a failed delivery attempt beside the outbox: the count, when, the error, and when the
     * next attempt is due ({@code retryIn} from now), so a bundle that keeps failing waits its turn
     * and never holds up the others, and {@code kiln outbox} shows why it is still pending.
     */
    public void recordAttempt(Path bundle, String error, Duration retryIn) {
        Path status = statusFile(bundle);
        try {
            Status before = status(bundle);
            ObjectNode n = Json.MAPPER.createObjectNode().put("attempts", before.attempts() + 1)
                    .put("lastAttempt", clock.instant().toString()).put("lastError", error)
                    .put("nextAttempt", clock.instant().plus(retryIn).toString());
            AtomicFiles.write(status, Json.MAPPER.writeValueAsBytes(n), state.tmp());
        } catch (IOException e) {
            // the status file is a convenience: the bundle itself is untouched
        }
    }

    /** Records a failed delivery attempt due again at once. */
    public void recordAttempt(Path bundle, String error) {
        recordAttempt(bundle, error, Duration.ZERO);
    }

    /**
     * A pending bundle's delivery state.
     *
     * @param attempts    failed attempts so far
     * @param lastError   the last one's error, or empty
     * @param nextAttempt when it is due again (EPOCH: now)
     */
    public record Status(int attempts, String lastError, Instant nextAttempt) {
    }

    /** The delivery state of a pending bundle; a missing or unreadable status file reads as none. */
    public Status status(Path bundle) {
        Path f = statusFile(bundle);
        if (!Files.exists(f)) {
            return new Status(0, "", Instant.EPOCH); // the usual case: read every watch pass, for every bundle
        }
        try {
            JsonNode s = Json.MAPPER.readTree(f.toFile());
            Instant next = Instant.EPOCH;
            try {
                next = s.hasNonNull("nextAttempt") ? Instant.parse(s.path("nextAttempt").asText()) : Instant.EPOCH;
            } catch (java.time.format.DateTimeParseException bad) {
                // due now
            }
            return new Status(s.path("attempts").asInt(0), s.path("lastError").asText(""), next);
        } catch (IOException | RuntimeException e) {
            return new Status(0, Files.exists(f) ? "(status file unreadable: " + e.getMessage() + ")" : "", Instant.EPOCH);
        }
    }

    /**
     * Where a bundle that left pending/ went.
     *
     * @param state  {@code sent} (with its receipt's digest), {@code quarantined} (with the reason), or
     *               {@code unknown}
     * @param detail the receipt digest or the quarantine reason
     */
    public record Where(String state, String detail) {
    }

    public Where whereIs(Path bundle) throws IOException {
        String b = base(bundle);
        Path receipt = state.sent().resolve(b + ".receipt.json");
        if (Files.exists(receipt)) {
            try {
                return new Where("sent", Json.MAPPER.readTree(receipt.toFile()).path("sha256").asText());
            } catch (IOException e) {
                return new Where("sent", "receipt " + receipt.getFileName() + " unreadable: " + e.getMessage());
            }
        }
        Path q = state.quarantine().resolve(bundle.getFileName());
        if (Files.exists(q)) {
            return new Where("quarantined", reason(q.resolveSibling(q.getFileName() + ".reason")));
        }
        return new Where("unknown", "");
    }

    private Path statusFile(Path bundle) {
        return state.deliveryStatus().resolve(base(bundle) + ".json");
    }

    /**
     * Moves a delivered bundle out of pending/, keeping the receipt (and the bundle while retained).
     * Nothing in sent/ is replaced: a name already there gets a numbered twin. Returns false when the
     * bundle was no longer in pending/ (another process delivered it first).
     */
    public boolean markSent(Path bundle, Receipt receipt, Duration retention) throws IOException {
        if (!Files.exists(bundle)) {
            return false;
        }
        byte[] json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(receipt);
        String b = base(bundle);
        // The receipt (and the kept bundle) are linked into sent/ and made durable with one force of
        // sent/ before the bundle leaves pending/: three forces in all (receipt, sent/, pending/).
        Path staged = AtomicFiles.stage(state.sent().resolve(b + ".receipt.json"), json, state.tmp());
        try {
            AtomicFiles.linkKeepingBoth(staged, state.sent(), b + ".receipt.json", n -> b + "." + n + ".receipt.json");
        } finally {
            Files.deleteIfExists(staged);
        }
        try {
            if (!retention.isZero() && !retention.isNegative()) {
                AtomicFiles.linkKeepingBoth(bundle, state.sent(), bundle.getFileName().toString(), n -> b + "." + n + SUFFIX);
            }
            AtomicFiles.fsyncDirectory(state.sent());
            Files.delete(bundle);
        } catch (java.nio.file.NoSuchFileException movedFirst) {
            return false;
        }
        AtomicFiles.fsyncDirectory(state.pending());
        Files.deleteIfExists(statusFile(bundle));
        return true;
    }

    /**
     * Moves a bundle to quarantine/ with its reason beside it. Nothing there is replaced: a name
     * already taken gets a numbered twin, {@code <name>.<n>.kiln.zip} and its {@code .reason}.
     * Returns where it went, or null when it was no longer in pending/.
     */
    public Path quarantine(Path bundle, String reason) throws IOException {
        String b = base(bundle);
        Path target;
        try {
            target = AtomicFiles.moveKeepingBoth(bundle, state.quarantine(), bundle.getFileName().toString(), n -> b + "." + n + SUFFIX);
        } catch (java.nio.file.NoSuchFileException movedFirst) {
            return null;
        }
        writeKeepingBoth(state.quarantine(), target.getFileName() + ".reason", n -> target.getFileName() + "." + n + ".reason",
                (clock.instant() + " " + reason + "\n").getBytes(StandardCharsets.UTF_8));
        Files.deleteIfExists(statusFile(bundle));
        return target;
    }

    private void writeKeepingBoth(Path dir, String name, java.util.function.IntFunction<String> alternative, byte[] data)
            throws IOException {
        for (int n = 0; ; n++) {
            try {
                AtomicFiles.writeNew(dir.resolve(n == 0 ? name : alternative.apply(n)), data, state.tmp(), () -> { });
                return;
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                if (n > 10_000) {
                    throw taken;
                }
            }
        }
    }

    /**
     * Re-reads, re-hashes and re-verifies every pending bundle against the station's own keys; a
     * damaged one goes to quarantine with the reason. Never throws for a bad bundle, never deletes.
     */
    public int checkPending(TrustStore ownKeys, Consumer<String> notice) throws IOException {
        int quarantined = 0;
        BundleVerifier verifier = new BundleVerifier(ownKeys, BundleLimits.defaults());
        try (Stream<Path> odd = Files.list(state.pending())) {
            for (Path p : odd.filter(x -> !Files.isRegularFile(x, LinkOption.NOFOLLOW_LINKS)).toList()) {
                quarantine(p, "not a regular file in pending/ (a FIFO, device, link or directory): never read as a bundle");
                notice.accept("quarantined " + p.getFileName() + ": not a regular file");
                quarantined++;
            }
        }
        for (Path p : pending()) {
            String problem;
            try {
                String tooLarge = tooLarge(p);
                if (tooLarge != null) {
                    quarantine(p, tooLarge);
                    notice.accept("quarantined " + p.getFileName() + ": " + tooLarge);
                    quarantined++;
                    continue;
                }
                BundleVerifier.Result r = verifier.verify(p); // read as it is scanned, whatever its size
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

    /**
     * Why a sealed bundle can never be delivered because of its size (over
     * {@link BundleLimits#maxBundleBytes}: no acceptance service takes it, so it is not sent to be
     * refused), or null. Kept whole in quarantine/, signed, for the floor to copy off and read with
     * any unzip.
     */
    public static String tooLarge(Path bundle) throws IOException {
        long size = Files.size(bundle);
        long max = BundleLimits.defaults().maxBundleBytes();
        return size <= max ? null : "too large to deliver: " + size + " bytes, over the " + max + " a bundle may be (every acceptance "
                + "service refuses it); kept whole and signed here";
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
            throw new KilnException(ExitCode.CANT_WRITE, "cannot check free space under " + state.root() + ": " + dev.kiln.bundle.Why.of(e));
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
            Status st = status(p);
            String detail = st.lastError();
            if (st.attempts() > 0 && st.nextAttempt().isAfter(now)) {
                detail += " (next attempt " + st.nextAttempt() + ")";
            }
            out.add(new Entry("pending", p.getFileName().toString(), Files.size(p), age(p, now), st.attempts(), detail));
        }
        try (Stream<Path> s = Files.list(state.sent())) {
            for (Path r : s.filter(x -> x.toString().endsWith(".receipt.json")).sorted().toList()) {
                String name = r.getFileName().toString().replace(".receipt.json", SUFFIX);
                Path kept = state.sent().resolve(name);
                String detail;
                try {
                    JsonNode receipt = Json.MAPPER.readTree(r.toFile());
                    detail = "receipt " + receipt.path("sha256").asText() + " at " + receipt.path("receivedAt").asText();
                } catch (IOException e) {
                    detail = "receipt " + r.getFileName() + " unreadable: " + e.getMessage();
                }
                out.add(new Entry("sent", name, Files.exists(kept) ? Files.size(kept) : 0, age(r, now), 0, detail));
            }
        }
        try (Stream<Path> s = Files.list(state.quarantine())) {
            for (Path q : s.filter(x -> x.toString().endsWith(SUFFIX)).sorted().toList()) {
                Path reason = q.resolveSibling(q.getFileName() + ".reason");
                out.add(new Entry("quarantined", q.getFileName().toString(), Files.size(q), age(q, now), 0, reason(reason)));
            }
        }
        Path runs = state.root().resolve("quarantine/runs");
        if (Files.isDirectory(runs)) {
            // runs recovery could not seal, kept whole as evidence (never deleted)
            try (Stream<Path> s = Files.list(runs)) {
                for (Path r : s.filter(x -> !x.getFileName().toString().endsWith(".reason")).sorted().toList()) {
                    out.add(new Entry("quarantined-run", r.getFileName().toString(), 0, age(r, now), 0,
                            reason(r.resolveSibling(r.getFileName() + ".reason"))));
                }
            }
        }
        return out;
    }

    /** A .reason file's text; a missing one reads empty, an unreadable one says so. */
    private static String reason(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).strip() : "";
        } catch (IOException e) {
            return "reason file unreadable: " + e.getMessage();
        }
    }

    private static Duration age(Path p, Instant now) throws IOException {
        return Duration.between(Files.getLastModifiedTime(p).toInstant(), now);
    }
}
