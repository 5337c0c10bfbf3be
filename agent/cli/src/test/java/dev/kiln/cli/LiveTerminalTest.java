package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees on a terminal, through a real pseudo-terminal: the agent runs in a tmux pane
 * (its stdout a tty, as in an ssh session) and the pane is read with {@code capture-pane}, mid-run
 * and at the end, with and without {@code NO_COLOR}. Without a terminal (a pipe), plain lines and
 * not one escape code. Needs tmux ({@code .ci/run} installs it).
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LiveTerminalTest {
    private static final String PROFILE = """
            name: together-live-view
            hangTimeout: 20s
            suites: []
            together:
              duration: 10s
              baseline: 1s
              cooldown: 1s
              suites:
                - id: cpu
                  parameters: {phases: all-cores, kernels: "sha256,crc32c"}
                - id: memory
                  threads: 0.5
                  parameters: {size: 32MiB}
            """;

    @TempDir
    Path dir;
    private final String socket = "kiln-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @AfterEach
    void killServer() throws Exception {
        new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor(10, TimeUnit.SECONDS);
    }

    private static boolean haveTmux() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-u", "-L", socket, "-f", dir.resolve("tmux.conf").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "tmux " + String.join(" ", args) + ": " + out);
        return out;
    }

    /** The pane as text (or with its attributes as escape codes). */
    private String pane(boolean escapes) throws Exception {
        return escapes ? tmux("capture-pane", "-p", "-e", "-t", "kiln") : tmux("capture-pane", "-p", "-t", "kiln");
    }

    private String awaitPane(Predicate<String> until, int seconds, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < end) {
            last = pane(false);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " never showed; the pane:\n" + last);
    }

    /** Starts {@code kiln run} in a 140 × 36 tmux pane; the pane stays after it exits, with its status. */
    private void startInPane(Map<String, String> env) throws Exception {
        startInPane(PROFILE, env);
    }

    private void startInPane(String profileText, Map<String, String> env) throws Exception {
        Files.writeString(dir.resolve("tmux.conf"), "set -g default-terminal screen-256color\nset -g remain-on-exit on\n");
        Path sys = sysfs();
        Path profile = Files.writeString(dir.resolve("live.yaml"), profileText);
        List<String> cmd = Kiln.command("run", "--state-dir", dir.resolve("state").toString(), "--profile", profile.toString(),
                "--sysfs-root", sys.toString(), "--no-upload");
        // the shell outlives a Ctrl-C to print the agent's exit status (a handler, not SIG_IGN, which the agent would inherit)
        StringBuilder script = new StringBuilder("#!/bin/sh\ntrap 'true' INT\n");
        ProcessHandle.current().info().command().map(Path::of).map(j -> j.getParent().getParent().resolve("lib/libjsig.so"))
                .filter(Files::exists).ifPresent(j -> script.append("export LD_PRELOAD=").append(quote(j.toString())).append('\n'));
        env.forEach((k, v) -> script.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        script.append(cmd.stream().map(LiveTerminalTest::quote).collect(Collectors.joining(" "))).append('\n');
        script.append("echo \"EXIT=$?\"\n");
        script.append("exec sleep 120\n"); // the pane stays alive as the agent left it (a dead pane's screen is reset by tmux)
        Path sh = Files.writeString(dir.resolve("run.sh"), script);
        sh.toFile().setExecutable(true);
        tmux("new-session", "-d", "-s", "kiln", "-x", "140", "-y", "36", sh.toString());
    }

    /** One thermal zone at 61 °C: the hottest sensor on the live view, and heat the judge can see. */
    private Path sysfs() throws Exception {
        Path sys = dir.resolve("sys");
        Path zone = Files.createDirectories(sys.resolve("sys/class/thermal/thermal_zone0"));
        Files.writeString(zone.resolve("type"), "soc");
        Files.writeString(zone.resolve("temp"), "61000");
        return sys;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    @Timeout(180)
    void aLinePerRunningSuiteWithUnitsAndHeatThenTheSummaryInColour() throws Exception {
        assumeTrue(haveTmux(), "tmux is not installed");
        startInPane(Map.of());
        // mid-run: both suites of the stage on lines of their own at the foot, each in its own unit,
        // and the hottest sensor with its name
        String mid = awaitPane(p -> p.contains("together/cpu ") && p.contains(" rounds/s") && p.contains("B/s checked")
                && p.contains("hottest 61°C (thermal_zone0_soc)"), 90, "the live lines");
        List<String> lines = mid.lines().toList();
        String cpu = lines.stream().filter(l -> l.startsWith("  together/cpu ") && l.contains("elapsed")).findFirst().orElseThrow();
        String memory = lines.stream().filter(l -> l.startsWith("  together/memory ") && l.contains("elapsed")).findFirst().orElseThrow();
        assertTrue(cpu.matches("  together/cpu +all-cores +\\S+ elapsed +\\S+ left +\\d+ workers? +[0-9.]+[kMG]? rounds/s +0 failures"), cpu);
        assertTrue(memory.matches("  together/memory +\\S+ +\\S+ elapsed +\\S+ left +\\d+ workers? +[0-9.]+[kMG]?B/s checked +0 failures"), memory);
        assertEquals(lines.indexOf(cpu) + 1, lines.indexOf(memory), mid);
        assertTrue(lines.get(lines.indexOf(memory) + 1).equals("  hottest 61°C (thermal_zone0_soc)"), mid);
        assertTrue(mid.contains("> together/cpu  10s") && mid.contains("> together/memory  10s"), "the run's own lines stay above:\n" + mid);

        String end = awaitPane(p -> p.contains("EXIT="), 120, "the end of the run");
        assertTrue(end.contains("EXIT=0"), end);
        assertTrue(end.contains("Summary") && end.lines().anyMatch(l -> l.startsWith("Verdict  PASS") && l.endsWith("exit 0")), end);
        assertFalse(end.contains(" elapsed ") || end.contains("hottest"), "the live lines are gone at the end:\n" + end);
        String coloured = pane(true);
        String verdict = coloured.lines().filter(l -> l.startsWith("Verdict")).findFirst().orElseThrow();
        assertTrue(verdict.matches("Verdict  \u001b\\[[0-9;]*m.*PASS\u001b\\[.*"), "PASS in colour on a terminal: " + verdict.replace("\u001b", "ESC"));
    }

    /**
     * A second Ctrl-C stops the process at once (exit 2, incomplete: the journal is sealed by the
     * next start), and even then the terminal gets its whole screen back: the scroll region the live
     * lines kept at the foot is reset, as tmux itself reports it. A worker that never answers keeps
     * the run from ending after the first Ctrl-C (until its hang timeout), so the second one always
     * finds the run still there: sent together, two signals can arrive as one.
     */
    @Test
    @Timeout(180)
    void aSecondCtrlCStopsAtOnceAndGivesTheWholeScreenBack() throws Exception {
        assumeTrue(haveTmux(), "tmux is not installed");
        startInPane("""
                name: hang-live-view
                hangTimeout: 90s
                suites:
                  - id: selftest-hang
                    duration: 60s
                """, Map.of());
        awaitPane(p -> p.lines().anyMatch(l -> l.startsWith("  selftest-hang ") && l.contains("elapsed")), 90, "the live line");
        String during = tmux("display", "-p", "-t", "kiln", "#{scroll_region_upper} #{scroll_region_lower} #{pane_height}").trim();
        assertTrue(!during.equals("0 35 36"), "the live lines hold a scroll region while they show: " + during);
        tmux("send-keys", "-t", "kiln", "C-c");
        awaitPane(p -> p.contains("SIGINT: cancelling the run"), 30, "the first signal's notice");
        tmux("send-keys", "-t", "kiln", "C-c");
        String end = awaitPane(p -> p.contains("EXIT="), 60, "the end of the process");
        assertTrue(end.contains("again: stopping now with exit 2") && end.contains("EXIT=2"), end);
        assertEquals("0 35 36", tmux("display", "-p", "-t", "kiln", "#{scroll_region_upper} #{scroll_region_lower} #{pane_height}").trim(),
                "the whole screen is a scroll region again after the second signal:\n" + end);
    }

    @Test
    @Timeout(180)
    void noColourAtAllWithNoColorSet() throws Exception {
        assumeTrue(haveTmux(), "tmux is not installed");
        startInPane(Map.of("NO_COLOR", "1"));
        awaitPane(p -> p.contains(" rounds/s"), 90, "the live lines");
        String mid = pane(true);
        assertFalse(mid.contains("\u001b["), "no colour or attribute mid-run with NO_COLOR:\n" + mid.replace("\u001b", "ESC"));
        String end = awaitPane(p -> p.contains("EXIT="), 120, "the end of the run");
        assertTrue(end.contains("EXIT=0") && end.contains("Verdict  PASS"), end);
        assertFalse(pane(true).contains("\u001b["), "no colour at the end with NO_COLOR");
    }

    @Test
    @Timeout(180)
    void withoutATerminalPlainLinesAndNoEscapeCodes() throws Exception {
        Path profile = Files.writeString(dir.resolve("live.yaml"), PROFILE);
        Kiln k = Kiln.run(dir, "run", "--state-dir", dir.resolve("state").toString(), "--profile", profile.toString(), "--sysfs-root",
                sysfs().toString(), "--no-upload");
        assertEquals(0, k.exit(), k.toString());
        assertFalse(k.out().contains("\u001b"), "a pipe gets no escape codes:\n" + k.out());
        assertTrue(k.out().contains("together/cpu") && k.out().contains("Verdict  PASS"), k.out());
    }
}
