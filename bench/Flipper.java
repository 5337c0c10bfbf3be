import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Plants single-bit flips into another process's memory from outside it (issue 20's detection
 * benchmark): through /proc/PID/mem (root), into the mappings the process has locked in RAM (the
 * buffers a memory tester locks with mlock: Kiln's segments, memtester's buffer; nothing else of
 * either is locked). One flip every INTERVAL ms after START ms, COUNT in all, each a random bit of a
 * random 8-byte word; each flip's time, address and bit go to OUT, and the locked ranges to OUT.ranges.
 * Usage: java bench/Flipper.java PID COUNT INTERVAL_MS START_MS SEED OUT
 */
public class Flipper {
    record Range(long start, long end) {
    }

    static List<Range> locked(long pid) throws Exception {
        List<Range> out = new ArrayList<>();
        Range current = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] r = line.substring(0, line.indexOf(' ')).split("-");
                current = line.split("\\s+")[1].startsWith("rw") ? new Range(Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16)) : null;
            } else if (current != null && line.startsWith("Locked:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                if (kb > 0 && kb * 1024 == current.end() - current.start()) {
                    out.add(current);
                }
            }
        }
        return out;
    }

    public static void main(String[] a) throws Exception {
        long pid = Long.parseLong(a[0]);
        int count = Integer.parseInt(a[1]);
        long interval = Long.parseLong(a[2]);
        long start = Long.parseLong(a[3]);
        Random random = new Random(Long.parseLong(a[4]));
        Path out = Path.of(a[5]);
        long t0 = System.nanoTime();
        Thread.sleep(start);
        List<String> flips = new ArrayList<>();
        List<Range> seen = new ArrayList<>();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "rw")) {
            for (int k = 0; k < count; k++) {
                long due = t0 + (start + k * interval) * 1_000_000L;
                long wait = (due - System.nanoTime()) / 1_000_000L;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                List<Range> ranges = locked(pid);
                long total = ranges.stream().mapToLong(r -> r.end() - r.start()).sum();
                if (total == 0) {
                    System.err.println("flipper: no locked memory in " + pid + " (not yet locked, or not run as root)");
                    continue;
                }
                long pick = (long) (random.nextDouble() * (total / 8)) * 8;
                long address = 0;
                for (Range r : ranges) {
                    if (pick < r.end() - r.start()) {
                        address = r.start() + pick;
                        break;
                    }
                    pick -= r.end() - r.start();
                }
                int bit = random.nextInt(64);
                byte[] w = new byte[8];
                mem.seek(address);
                mem.readFully(w);
                w[bit / 8] ^= (byte) (1 << (bit % 8)); // little-endian: bit b of the word is bit b%8 of byte b/8
                mem.seek(address);
                mem.write(w);
                flips.add(String.format("%d 0x%x %d", (System.nanoTime() - t0) / 1_000_000L, address, bit));
                for (Range r : ranges) {
                    if (!seen.contains(r)) {
                        seen.add(r);
                    }
                }
            }
        }
        Files.write(out, flips);
        Files.write(Path.of(out + ".ranges"), seen.stream().map(r -> String.format("0x%x 0x%x", r.start(), r.end())).toList());
    }
}
