package dev.kiln.core.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.Json;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The run journal, {@code runs/<runId>/journal.jsonl}: one JSON line per event that matters
 * (run start, suite start, suite end with its full result, run end), each forced to disk before
 * the run goes on. After a crash it is what the next start seals into an INCOMPLETE bundle.
 * A write failure (a full disk) does not stop the run; it is kept and reported at the end.
 */
public final class Journal implements RunListener, Closeable {
    public static final String FILE = "journal.jsonl";

    private final FileChannel channel;
    private volatile IOException error;

    private Journal(FileChannel channel) {
        this.channel = channel;
    }

    public static Journal open(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        Journal j = new Journal(FileChannel.open(runDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
        AtomicFiles.fsyncDirectory(runDir);
        return j;
    }

    /** The first write failure, or null. */
    public IOException error() {
        return error;
    }

    private synchronized void append(ObjectNode line) {
        if (error != null) {
            return;
        }
        try {
            AtomicFiles.appendDurably(channel, (Json.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            error = e;
        }
    }

    @Override
    public void runStarted(RunInfo run) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("type", "run-start");
        n.set("run", Json.MAPPER.valueToTree(run));
        append(n);
    }

    @Override
    public void suiteStarted(PlannedSuite suite) {
        append(Json.MAPPER.createObjectNode().put("type", "suite-start").put("suite", suite.id()).put("at", Instant.now().toString()));
    }

    @Override
    public void suiteEnded(SuiteResult result) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("type", "suite-end");
        n.set("result", Json.MAPPER.valueToTree(result));
        append(n);
    }

    @Override
    public void runEnded(RunReport report) {
        append(Json.MAPPER.createObjectNode().put("type", "run-end").put("verdict", report.verdict().name())
                .put("ended", report.ended().toString()));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * What a journal holds, read back.
     *
     * @param run      the run, or null when no readable run-start line reached the disk
     * @param results  suites that finished, in order
     * @param inFlight the suites that had started and not finished, in the order they started (several
     *                 when the run stopped in a stage of suites together)
     * @param ended    when the run ended normally, or null
     * @param lost     one line per journal line that could not be read (a torn last line, garbage,
     *                 a value this agent does not know): what the recovered bundle is missing
     */
    public record Contents(RunInfo run, List<SuiteResult> results, List<String> inFlight, Instant ended, List<String> lost) {
        public Contents {
            results = List.copyOf(results);
            inFlight = List.copyOf(inFlight);
            lost = List.copyOf(lost);
        }
    }

    /**
     * Reads a journal: every line that can be read, whatever comes before or after it. A line that
     * cannot be read (torn by a crash, damaged on disk, holding a value this agent does not know) is
     * skipped and named in {@link Contents#lost()}; it never hides the lines after it, and it never
     * throws.
     */
    public static Contents read(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return new Contents(null, List.of(), List.of(), null, List.of("no journal file"));
        }
        RunInfo run = null;
        List<SuiteResult> results = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        java.util.Set<String> inFlight = new java.util.LinkedHashSet<>();
        Instant ended = null;
        byte[] bytes = Files.readAllBytes(file);
        // Malformed UTF-8 must not stop the reading: replace it, and let the JSON parser judge the line.
        String text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String where = "journal line " + (i + 1);
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                if (n == null || !n.isObject()) {
                    lost.add(where + ": not a JSON object");
                    continue;
                }
                switch (n.path("type").asText()) {
                    case "run-start" -> run = Json.MAPPER.treeToValue(n.get("run"), RunInfo.class);
                    case "suite-start" -> inFlight.add(n.path("suite").asText());
                    case "suite-end" -> {
                        SuiteResult r = Json.MAPPER.treeToValue(n.get("result"), SuiteResult.class);
                        results.add(r);
                        inFlight.remove(r.suiteId());
                    }
                    case "run-end" -> ended = Instant.parse(n.path("ended").asText());
                    default -> lost.add(where + ": unknown entry type '" + n.path("type").asText() + "'");
                }
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                lost.add(where + (i == lines.length - 1 ? " (the last, torn by the stop)" : "") + " unreadable: "
                        + (why.length() > 160 ? why.substring(0, 160) + "…" : why));
            }
        }
        if (run == null) {
            lost.add(0, "no readable run-start line");
        }
        return new Contents(run, results, List.copyOf(inFlight), ended, lost);
    }
}
