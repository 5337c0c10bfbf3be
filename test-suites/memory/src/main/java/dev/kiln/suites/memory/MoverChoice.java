package dev.kiln.suites.memory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which {@link Mover} the copies and the periodic fills use on this machine ({@code -P memory.copy}
 * and {@code -P memory.fill}): {@code auto} takes it from a table of CPUs it was measured on
 * (docs/cpu-figures.md, by vendor, family and model) and times every candidate for any other CPU;
 * {@code calibrate} always times them; a name forces one. Timing is done at prepare, single-threaded,
 * on memory of the suite's own in segments of the run's size, the candidates interleaved (a round of
 * each, three times; the best round of each kept) so that a minute's drift of the machine's memory
 * bandwidth does not pick the winner.
 */
final class MoverChoice {
    /** A candidate and its speed: bytes copied (or filled) per second. */
    record Timed(Mover mover, double bytesPerSecond) {
    }

    /** What was chosen and how: "table", "calibrated" or "asked"; with the candidates' figures where they were timed. */
    record Choice(Mover mover, String asked, String how, String cpu, List<Timed> timed) {
    }

    /**
     * CPUs the strategies were measured on ({@code bench/memory.sh}, docs/cpu-figures.md): the key is
     * {@link #cpuKey}'s, the value the copy and the fill strategy that were fastest there with the
     * suite's default 4 MiB segments.
     */
    static final Map<String, List<String>> MEASURED = Map.of(
            "AuthenticAMD family 25 model 17", List.of("segment-4m", "segment-4m"));

    private MoverChoice() {
    }

    /** "vendor family F model M" from /proc/cpuinfo's text (the first processor's), or null. */
    static String cpuKey(String cpuinfo) {
        String vendor = null;
        String family = null;
        String model = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                if (line.isBlank() && vendor != null) {
                    break; // the end of the first processor's block
                }
                continue;
            }
            String k = line.substring(0, colon).trim();
            String v = line.substring(colon + 1).trim();
            switch (k) {
                case "vendor_id" -> vendor = vendor == null ? v : vendor;
                case "cpu family" -> family = family == null ? v : family;
                case "model" -> model = model == null ? v : model;
                default -> { }
            }
        }
        return vendor == null || family == null || model == null ? null : vendor + " family " + family + " model " + model;
    }

    /**
     * This machine's key: Linux, /proc/cpuinfo's; macOS, the chip's name as {@code sysctl -n
     * machdep.cpu.brand_string} prints it ("Apple M2 Ultra"; never run on a Mac: checklist row 25);
     * null where there is none to read.
     */
    static String cpuKey() {
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            if (Files.isReadable(cpuinfo)) {
                return cpuKey(Files.readString(cpuinfo));
            }
            if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
                Process p = new ProcessBuilder("/usr/sbin/sysctl", "-n", "machdep.cpu.brand_string").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readNBytes(256), java.nio.charset.StandardCharsets.UTF_8);
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                return p.exitValue() == 0 ? brandKey(out) : null;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The key from {@code machdep.cpu.brand_string}'s output: the chip's name, if it names an Apple chip ("Apple M2 Ultra"), else null. */
    static String brandKey(String sysctlOut) {
        String b = sysctlOut.strip();
        return b.matches("Apple M\\d+( (Pro|Max|Ultra))?") ? b : null;
    }

    /** The table's strategy for {@code cpu} (0: copy, 1: fill) if it is among {@code offered}. */
    static Optional<Mover> fromTable(String cpu, int which, List<Mover> offered) {
        List<String> row = cpu == null ? null : MEASURED.get(cpu);
        if (row == null) {
            return Optional.empty();
        }
        return offered.stream().filter(m -> m.name().equals(row.get(which))).findFirst();
    }

    /** A mismatch found while timing: dropped (the tests that time only). */
    static final Passes.Errors IGNORE = (p, s, w, e, x) -> { };

    /** Times every copy strategy on {@code buf} cut into segments of {@code segment} bytes, in the suite's copy regions; fastest first. */
    static List<Timed> timeCopies(List<Mover> offered, MemorySegment buf, long segment, int rounds) {
        return timeCopies(offered, buf, segment, rounds, Copier.Hook.NONE, IGNORE);
    }

    /**
     * The same; every copy is checked as the suite checks it, and a word found wrong goes to
     * {@code errors} at its address (the memory timed on is the machine's own: a failing part is
     * found here too, and said as a failure, not as an error of the suite). {@code hook}: the copier's
     * fault seam.
     */
    static List<Timed> timeCopies(List<Mover> offered, MemorySegment buf, long segment, int rounds, Copier.Hook hook, Passes.Errors errors) {
        List<MemorySegment> cut = split(buf, segment);
        double[] best = new double[offered.size()];
        for (int r = -1; r < rounds; r++) { // round -1 compiles each candidate's loops
            for (int i = 0; i < offered.size(); i++) {
                List<MemorySegment> segs = Round.copyRegions(cut, buf, offered.get(i).blockBytes());
                Copier c = new Copier(offered.get(i), true);
                c.run(segs, 31L * r + i, 4, hook, errors);
                if (r >= 0) {
                    best[i] = Math.max(best[i], c.copiedBytes() / (c.copyNanos() / 1e9));
                }
            }
        }
        return sorted(offered, best);
    }

    /** Times every fill strategy on {@code buf} in segments of {@code segment} bytes; fastest first. */
    static List<Timed> timeFills(List<Mover> offered, MemorySegment buf, long segment, int rounds, java.lang.foreign.Arena arena) {
        return timeFills(offered, buf, segment, rounds, arena, () -> { }, IGNORE);
    }

    /** The same; what the last fill wrote is verified, a word found wrong going to {@code errors}; {@code hook} runs before that check (the seam). */
    static List<Timed> timeFills(List<Mover> offered, MemorySegment buf, long segment, int rounds, java.lang.foreign.Arena arena, Runnable hook,
                                 Passes.Errors errors) {
        List<MemorySegment> segs = split(buf, segment);
        List<MemorySegment> sources = new ArrayList<>();
        for (Mover m : offered) {
            MemorySegment src = arena.allocate(m.sourceBytes(segment), 4096);
            Passes.source(Pattern.CHECKERBOARD, src, 0, 0);
            sources.add(src);
        }
        double[] best = new double[offered.size()];
        for (int r = -1; r < rounds; r++) {
            for (int i = 0; i < offered.size(); i++) {
                long t0 = System.nanoTime();
                long bytes = 0;
                for (MemorySegment s : segs) {
                    Passes.fill(offered.get(i), Pattern.CHECKERBOARD, s, sources.get(i), 0, 0);
                    bytes += s.byteSize();
                }
                double rate = bytes / ((System.nanoTime() - t0) / 1e9);
                if (r >= 0) {
                    best[i] = Math.max(best[i], rate);
                }
            }
        }
        hook.run();
        Passes.verify(dev.kiln.suites.memory.loops.Lanes.forMachine(), Pattern.CHECKERBOARD, buf, 0, 0, errors);
        return sorted(offered, best);
    }

    private static List<MemorySegment> split(MemorySegment buf, long segment) {
        List<MemorySegment> segs = new ArrayList<>();
        for (long o = 0; o + 16 <= buf.byteSize(); o += segment) {
            segs.add(buf.asSlice(o, Math.min(segment, buf.byteSize() - o) & ~15L));
        }
        return segs;
    }

    private static List<Timed> sorted(List<Mover> offered, double[] best) {
        List<Timed> out = new ArrayList<>();
        for (int i = 0; i < offered.size(); i++) {
            out.add(new Timed(offered.get(i), best[i]));
        }
        out.sort(Comparator.comparingDouble(Timed::bytesPerSecond).reversed());
        return out;
    }

    /** "memcpy-2m 22.1, memcpy-1m 21.4, ..." in GB/s. */
    static String format(List<Timed> timed) {
        StringBuilder b = new StringBuilder();
        for (Timed t : timed) {
            b.append(b.isEmpty() ? "" : ", ").append(t.mover().name()).append(' ').append(String.format(Locale.ROOT, "%.1f", t.bytesPerSecond() / 1e9));
        }
        return b.append(" GB/s").toString();
    }

    /**
     * The choice for {@code asked} ("auto", "calibrate" or a name among {@code offered}, what the
     * parameter's check accepts); {@code timer} times {@code candidates} (what fits the segments this
     * run cut) when they must be timed ({@code auto} on a CPU the table lacks, or {@code calibrate});
     * {@code which}: 0 copy, 1 fill.
     */
    static Choice choose(String asked, List<Mover> offered, List<Mover> candidates, int which, String what, String cpu,
                         java.util.function.Function<List<Mover>, List<Timed>> timer) {
        if (!asked.equals("auto") && !asked.equals("calibrate")) {
            return new Choice(Mover.named(asked, offered, what), asked, "asked", cpu, List.of());
        }
        if (asked.equals("auto")) {
            Optional<Mover> t = fromTable(cpu, which, offered);
            if (t.isPresent()) {
                return new Choice(t.get(), asked, "table", cpu, List.of());
            }
        }
        List<Timed> timed = timer.apply(candidates);
        return new Choice(timed.get(0).mover(), asked, "calibrated", cpu, timed);
    }

    /** The log line for a choice, with the {@code -P} that replays it. */
    static String describe(Choice c, String what, String param) {
        String replay = " (replay with -P memory." + param + "=" + c.mover().name() + ")";
        return switch (c.how()) {
            case "asked" -> what + ": " + c.mover().name() + ", as asked: " + c.mover().describe();
            case "table" -> what + ": " + c.mover().name() + ", measured fastest on this CPU (" + c.cpu() + "; docs/cpu-figures.md): "
                    + c.mover().describe() + replay + "; -P memory." + param + "=calibrate times every strategy here";
            default -> what + ": " + c.mover().name() + ", the fastest timed here" + (!c.asked().equals("auto") ? ""
                    : c.cpu() == null ? " (no CPU id to look up in the table of measured CPUs)" : " (" + c.cpu() + " is not in the table of measured CPUs)")
                    + ", one thread, best of 3: " + format(c.timed()) + "; " + c.mover().describe() + replay;
        };
    }
}
