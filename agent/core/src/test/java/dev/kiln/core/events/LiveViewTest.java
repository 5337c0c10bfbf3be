package dev.kiln.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Failure;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.Verdict;
import dev.kiln.core.ExitCode;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunReport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.utils.ScreenTerminal;
import org.junit.jupiter.api.Test;

/**
 * The live view as a person sees it: the bytes Kiln writes are played into JLine's terminal emulator
 * ({@link ScreenTerminal}, a VT100/xterm screen) and the screen is read back, text and colours.
 * {@code LiveTerminalTest} in the CLI does the same through a real pseudo-terminal (tmux).
 */
class LiveViewTest {
    private static final int COLUMNS = 110;
    private static final int ROWS = 24;
    private static final PlannedSuite CPU = new PlannedSuite("together/cpu", Duration.ofMinutes(5), true, Map.of());
    private static final PlannedSuite MEMORY = new PlannedSuite("together/memory", Duration.ofMinutes(5), true, Map.of());

    private ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicReference<List<Progress>> progress = new AtomicReference<>(List.of());

    /** A reporter writing to a stream of its own (its ticker goes on drawing there until the run ends). */
    private HumanReporter reporter(boolean colour) {
        bytes = new ByteArrayOutputStream();
        LiveView view = LiveView.onStream(bytes, "xterm-256color", COLUMNS, ROWS);
        assertNotNull(view, "xterm-256color holds a live view");
        return new HumanReporter(null, view, colour, Duration.ofSeconds(10), progress::get, Duration.ZERO).manualTicks()
                .withTelemetry(() -> Map.of("thermal_zone0_soc_celsius", 71.4, "powercap_intel_rapl_0_package_0_watts", 23.2));
    }

    /** The screen after everything written so far. */
    private ScreenTerminal screen() {
        ScreenTerminal s = new ScreenTerminal(COLUMNS, ROWS);
        s.write(bytes.toString(StandardCharsets.UTF_8));
        return s;
    }

    private static List<String> lines(ScreenTerminal s) {
        List<String> out = new ArrayList<>();
        for (String l : s.toString().split("\n", -1)) {
            out.add(l.stripTrailing());
        }
        return out;
    }

    private static RunInfo run() {
        return new RunInfo("01a2", "burn-in", 0x2a, Instant.parse("2026-11-29T10:00:00Z"), "test", "kiln run", List.of(CPU, MEMORY), Map.of());
    }

    private void twoSuitesRunning(HumanReporter r) {
        r.runStarted(run());
        r.suiteStarted(CPU);
        r.suiteStarted(MEMORY);
        progress.set(List.of(
                new Progress("together/cpu", "all-cores", 2, Duration.ofSeconds(62), Duration.ofSeconds(238), 10, 1_230_000, 0, "rounds"),
                new Progress("together/memory", "patterns", 1, Duration.ofSeconds(61), Duration.ofSeconds(239), 4, 96_000_000_000L, 1, "B")));
        r.failure("together/memory", new Failure("memory-mismatch", "pattern mismatch at 0x7f3a00001040", Map.of(), false));
        r.tick();
    }

    @Test
    void aLinePerRunningSuiteAtTheFootWithHeatAndPowerAndTheRunsLinesAbove() {
        HumanReporter r = reporter(false);
        twoSuitesRunning(r);
        List<String> screen = lines(screen());
        // the foot of the screen: one line per suite, then the heat
        int foot = screen.size() - 1;
        while (screen.get(foot).isEmpty()) {
            foot--;
        }
        String cpu = screen.get(foot - 2);
        String memory = screen.get(foot - 1);
        String heat = screen.get(foot);
        assertTrue(cpu.startsWith("  together/cpu ") && cpu.contains("all-cores") && cpu.contains("1m02s elapsed") && cpu.contains("3m58s left")
                && cpu.contains("2 workers") && cpu.contains("rounds/s") && cpu.endsWith("0 failures"), String.join("\n", screen));
        assertTrue(memory.startsWith("  together/memory ") && memory.contains("patterns") && memory.contains("B/s checked")
                && memory.endsWith("1 failure"), String.join("\n", screen));
        assertEquals("  hottest 71°C (thermal_zone0_soc), 23 W", heat);
        // the columns line up, whatever the suite id's length
        assertEquals(cpu.indexOf("elapsed"), memory.indexOf("elapsed"), String.join("\n", screen));
        // the run's own lines are above, in the order they came
        int header = screen.indexOf("> together/cpu  5m00s");
        assertTrue(header >= 0 && screen.get(header + 1).equals("> together/memory  5m00s"), String.join("\n", screen));
        assertEquals("  FAIL together/memory: pattern mismatch at 0x7f3a00001040", screen.get(header + 2));
        assertTrue(header + 2 < foot - 2);
    }

    @Test
    void ordinaryLinesScrollAboveTheLiveLinesWhichStayPut() {
        HumanReporter r = reporter(false);
        twoSuitesRunning(r);
        for (int i = 0; i < 40; i++) {
            r.failure("together/memory", new Failure("memory-mismatch", "pattern mismatch number " + i, Map.of(), false));
        }
        r.tick();
        List<String> screen = lines(screen());
        int last = screen.indexOf("  FAIL together/memory: pattern mismatch number 39");
        assertTrue(last > 0, String.join("\n", screen));
        // the latest failure sits just above the live lines (the line between is where the cursor
        // waits for the next one); the oldest have scrolled away
        assertEquals("", screen.get(last + 1), String.join("\n", screen));
        assertTrue(screen.get(last + 2).startsWith("  together/cpu "), String.join("\n", screen));
        assertTrue(screen.get(last + 3).startsWith("  together/memory "), String.join("\n", screen));
        assertFalse(screen.contains("  FAIL together/memory: pattern mismatch number 0"));
        // and no live line is left in what scrolled
        assertEquals(1, screen.stream().filter(l -> l.startsWith("  together/cpu ")).count(), String.join("\n", screen));
    }

    @Test
    void atTheEndTheLiveLinesGoAndTheSummaryAndVerdictStay() {
        HumanReporter r = reporter(false);
        twoSuitesRunning(r);
        Instant t = Instant.parse("2026-11-29T10:00:00Z");
        List<SuiteResult> results = List.of(
                new SuiteResult("together/cpu", true, Outcome.PASS, null, "", t, t.plusSeconds(300), 9, 9, List.of(), List.of(), 0, "", "", Map.of(), ""),
                new SuiteResult("together/memory", true, Outcome.FAIL, null, "1 failure", t, t.plusSeconds(300), 4, 4, List.of(),
                        List.of(new Failure("memory-mismatch", "pattern mismatch at 0x7f3a00001040", Map.of("address", "0x7f3a00001040"), false)),
                        1, "", "", Map.of(), ""));
        RunReport report = new RunReport(run(), t.plusSeconds(301), results, Verdict.FAIL);
        r.runEnded(report);
        r.verdict(report, ExitCode.FAIL, null);
        r.tick(); // a tick that was waiting draws nothing once the run has ended
        List<String> screen = lines(screen());
        assertTrue(screen.stream().noneMatch(l -> l.contains("elapsed") || l.contains("hottest")), String.join("\n", screen));
        assertTrue(screen.contains("Summary"), String.join("\n", screen));
        assertTrue(screen.stream().anyMatch(l -> l.startsWith("Verdict  FAIL") && l.endsWith("exit 1")), String.join("\n", screen));
        // the scroll region is the whole screen again: later output may use every row
        String raw = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(raw.lastIndexOf("\033[1;" + ROWS + "r") > raw.lastIndexOf("\033[1;" + (ROWS - 3) + "r"), "scroll region restored");
    }

    @Test
    void failureCountsAndTheVerdictInColourUnlessColourIsOff() {
        HumanReporter coloured = reporter(true);
        twoSuitesRunning(coloured);
        ScreenTerminal s = screen();
        long[] cells = new long[COLUMNS * ROWS];
        s.dump(cells, new int[2]);
        List<String> screen = lines(s);
        int row = -1;
        for (int i = 0; i < screen.size(); i++) {
            if (screen.get(i).startsWith("  together/memory ")) {
                row = i;
            }
        }
        assertTrue(row > 0, String.join("\n", screen));
        int col = screen.get(row).lastIndexOf("1 failure");
        long cell = cells[row * COLUMNS + col];
        int fg = ScreenTerminal.cellForeground(cell); // 12-bit RGB on this screen
        assertTrue(ScreenTerminal.cellHasForeground(cell) && (fg >> 8 & 0xf) > 0 && (fg >> 4 & 0xf) == 0 && (fg & 0xf) == 0
                && ScreenTerminal.cellBold(cell), "a failure count above 0 is bold red: " + Integer.toHexString(fg));
        int zero = screen.get(row - 1).lastIndexOf("0 failures");
        assertFalse(ScreenTerminal.cellHasForeground(cells[(row - 1) * COLUMNS + zero]), "none is not red");

        HumanReporter plain = reporter(false);
        twoSuitesRunning(plain);
        String raw = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(java.util.regex.Pattern.compile("\033\\[[0-9;]*(3[0-7]|9[0-7]|38)[;m]").matcher(raw).find(), "no colour at all: " + raw);
    }

    /** Abandoned (a second signal, the process about to halt): the whole screen is the scroll region again, and nothing more is drawn. */
    @Test
    void anAbandonedViewGivesTheScreenBackAndDrawsNoMore() {
        bytes = new ByteArrayOutputStream();
        LiveView view = LiveView.onStream(bytes, "xterm-256color", COLUMNS, ROWS);
        assertNotNull(view);
        view.show(List.of(new org.jline.utils.AttributedString("  cpu running"), new org.jline.utils.AttributedString("  memory running")));
        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.contains("\033[1;" + (ROWS - 3) + "r") || drawn.contains("\033[1;" + (ROWS - 2) + "r"), "a scroll region above the live lines: "
                + drawn.replace("\033", "ESC"));
        view.abandon();
        String after = bytes.toString(StandardCharsets.UTF_8).substring(drawn.length());
        assertTrue(after.startsWith("\033[1;" + ROWS + "r"), "the whole screen again: " + after.replace("\033", "ESC"));
        int size = bytes.size();
        view.show(List.of(new org.jline.utils.AttributedString("  cpu running")));
        view.close();
        assertEquals(size, bytes.size(), "nothing drawn after");
    }

    @Test
    void aTerminalThatCannotHoldTheViewGetsNone() {
        assertNull(LiveView.onStream(new ByteArrayOutputStream(), "dumb", 80, 24));
        assertNull(LiveView.onStream(new ByteArrayOutputStream(), "xterm-256color", 10, 24), "too narrow to be useful");
    }
}
