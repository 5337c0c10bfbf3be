package dev.kiln.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The CPU's core tiers and which tier a telemetry cluster key belongs to. Apple Silicon has up to
 * three tiers, fastest first: {@code super} (M5 generation), {@code performance}, {@code efficiency};
 * the machine's own tiers come from its topology ({@code hw.perflevelN.name}). The tools that report
 * clusters name them by letter, and the letters shift with the generation: powermetrics says
 * {@code P0-Cluster}/{@code E-Cluster} up to the M4, and IOReport {@code PCPU}/{@code ECPU}; on the
 * M5 Max IOReport's {@code PCPU} is the Super tier and {@code MCPU0}/{@code MCPU1} the Performance
 * tier, and powermetrics names an {@code S-Cluster} and {@code M}-clusters. So a key's letter alone
 * does not give its tier: the letters present are ranked {@code s}, {@code p}, {@code m},
 * {@code e} (fastest first) and matched, in order, to the machine's tiers. Pure.
 */
public final class CoreTiers {
    /** Tier names in speed order, fastest first; any other name ranks after them, alphabetically. */
    public static final List<String> ORDER = List.of("super", "performance", "efficiency");
    private static final String LETTERS = "spme";

    private CoreTiers() {
    }

    /** The distinct tier names among these clusters, fastest first. */
    public static List<String> fastestFirst(Collection<String> clusterNames) {
        List<String> out = new ArrayList<>(new TreeSet<>(clusterNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()));
        out.sort((a, b) -> {
            int ra = ORDER.indexOf(a);
            int rb = ORDER.indexOf(b);
            ra = ra < 0 ? ORDER.size() : ra;
            rb = rb < 0 ? ORDER.size() : rb;
            return ra != rb ? Integer.compare(ra, rb) : a.compareTo(b);
        });
        return out;
    }

    /** The letter class of a cluster key ({@code p0} → {@code p}, {@code e} → {@code e}), or the key itself when it has no letter class. */
    static String letter(String key) {
        String l = key.replaceAll("\\d+$", "");
        return l.length() == 1 && LETTERS.contains(l) ? l : key;
    }

    /** A key's tier by its letter alone, where the machine's tiers do not settle it. */
    static String byLetter(String letter) {
        return switch (letter) {
            case "s" -> "super";
            case "p", "m" -> "performance";
            case "e" -> "efficiency";
            default -> letter;
        };
    }

    /**
     * The tier of each cluster key. When the letter classes present ({@code s}, {@code p}, {@code m},
     * {@code e}) are as many as the machine's tiers, they are matched by rank (so {@code p} is the
     * Super tier beside {@code m} on an M5 Max, and the Performance tier beside {@code e} on an M4);
     * otherwise (tiers unknown, or counts that differ) by letter: {@code s} super, {@code p} and
     * {@code m} performance, {@code e} efficiency. A key of no letter class is its own tier.
     *
     * @param keys  cluster keys as telemetry names them ({@code p0}, {@code e}, {@code m1}…)
     * @param tiers the machine's tiers, any order (empty when unknown)
     */
    public static Map<String, String> tierOfKeys(Collection<String> keys, Collection<String> tiers) {
        List<String> known = fastestFirst(tiers).stream().filter(ORDER::contains).toList();
        List<String> letters = new ArrayList<>();
        for (char c : LETTERS.toCharArray()) {
            String l = String.valueOf(c);
            if (keys.stream().anyMatch(k -> letter(k).equals(l))) {
                letters.add(l);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys) {
            String l = letter(k);
            int rank = letters.indexOf(l);
            out.put(k, rank < 0 ? k : letters.size() == known.size() ? known.get(rank) : byLetter(l));
        }
        return out;
    }
}
