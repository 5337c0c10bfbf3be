import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which planted flips were reported at their exact address and bit (issue 20's benchmark).
 * kiln: the sealed bundle's JSON (each failure's virtualAddress and bits);
 * memtester: its "FAILURE: 0xA != 0xB at offset 0xO" lines, the offset taken in either half of its
 * buffer (memtester compares the halves and cannot say which one changed), the bit from A xor B.
 * "near" also counts a report within 4 KiB of the flip (memtester sometimes names an offset 4,080
 * bytes away from the word that changed; the benchmark compares Kiln's exact figure with memtester's
 * near one, in memtester's favour).
 * Usage: java bench/FlipMatch.java kiln|memtester FLIPS REPORT   (prints "caught N of M (near: K)")
 */
public class FlipMatch {
    public static void main(String[] a) throws Exception {
        List<String> flips = Files.readAllLines(Path.of(a[1]));
        String report = Files.readString(Path.of(a[2]));
        Set<String> found = new HashSet<>();
        if (a[0].equals("kiln")) {
            Matcher m = Pattern.compile("(?s)\"virtualAddress\"\\s*:\\s*\"(0x[0-9a-f]+)\".*?\"bits\"\\s*:\\s*\\[([0-9, ]*)\\]").matcher(report);
            while (m.find()) {
                for (String b : m.group(2).split(",")) {
                    if (!b.isBlank()) {
                        found.add(Long.parseUnsignedLong(m.group(1).substring(2), 16) + "/" + b.trim());
                    }
                }
            }
        } else {
            List<String> ranges = Files.readAllLines(Path.of(a[1] + ".ranges"));
            long base = Long.parseUnsignedLong(ranges.get(0).split(" ")[0].substring(2), 16);
            long end = Long.parseUnsignedLong(ranges.get(0).split(" ")[1].substring(2), 16);
            long half = (end - base) / 2;
            Matcher m = Pattern.compile("FAILURE: 0x([0-9a-f]+) != 0x([0-9a-f]+) at offset 0x([0-9a-f]+)").matcher(report);
            while (m.find()) {
                long x = Long.parseUnsignedLong(m.group(1), 16) ^ Long.parseUnsignedLong(m.group(2), 16);
                long off = Long.parseUnsignedLong(m.group(3), 16);
                for (int b = 0; b < 64; b++) {
                    if ((x >>> b & 1) != 0) {
                        found.add((base + off) + "/" + b);
                        found.add((base + half + off) + "/" + b);
                    }
                }
            }
        }
        int caught = 0;
        int near = 0;
        java.util.TreeSet<Long> addresses = new java.util.TreeSet<>();
        for (String k : found) {
            addresses.add(Long.parseLong(k.substring(0, k.indexOf('/'))));
        }
        for (String f : flips) {
            String[] p = f.split(" ");
            long at = Long.parseUnsignedLong(p[1].substring(2), 16);
            if (found.contains(at + "/" + p[2])) {
                caught++;
            }
            Long below = addresses.floor(at);
            Long above = addresses.ceiling(at);
            if (below != null && at - below < 4096 || above != null && above - at < 4096) {
                near++;
            }
        }
        // memtester sometimes names an offset 4,080 bytes from the word that changed: counted, in its favour, as "near"
        System.out.println("caught " + caught + " of " + flips.size() + " (near: " + near + ")");
    }
}
