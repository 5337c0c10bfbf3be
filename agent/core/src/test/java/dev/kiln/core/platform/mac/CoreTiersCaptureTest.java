package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.CoreTiers;
import dev.kiln.core.telemetry.ClusterClocks;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every cluster key the shared captures name, given its tier against the tiers sysctl gives the same
 * chip (fixtures/macos, SOURCES.md): powermetrics' clusters of an M1, an M2 Ultra and an M4 Max,
 * IOReport's clusters of an M5 Max; and the tiers of every sysctl capture.
 */
class CoreTiersCaptureTest {
    private static final Pattern FREQ = Pattern.compile("cluster_(?!.*_top_freq_hertz$)([a-z0-9_]+)_freq_hertz");

    private static List<String> tiers(String sysctlFixture) {
        return Sysctl.clusters(Sysctl.parse(MacParsersTest.text(sysctlFixture))).stream().map(Sysctl.Cluster::key).toList();
    }

    private static List<String> powermetricsKeys(String plist) {
        return Powermetrics.sample(MacParsersTest.text(plist).getBytes(java.nio.charset.StandardCharsets.UTF_8)).keySet().stream()
                .map(FREQ::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
    }

    private static List<String> ioReportKeys(String listing) {
        return List.copyOf(IoReport.clusterKeys(IoReportTest.listing(listing).stream().map(c -> c[0]).toList()).values());
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        return new TreeMap<>(m);
    }

    @Test
    void everySysctlCaptureGivesItsTiersFastestFirst() {
        assertEquals(List.of("performance", "efficiency"), tiers("sysctl-hw-machdep-m1pro-j314s-macos12.txt"));
        assertEquals(List.of("performance", "efficiency"), tiers("sysctl-hw-machdep-m2-j413-macos12.txt"));
        assertEquals(List.of("performance", "efficiency"), tiers("sysctl-hw-machdep-m3max-j514m-macos15.txt"));
        assertEquals(List.of("performance", "efficiency"), tiers("sysctl-hw-machdep-m4max-j614c-macos15.txt"));
        assertEquals(List.of("super", "efficiency"), tiers("sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt"));
        assertEquals(List.of("super", "performance"), tiers("sysctl-hw.perflevel-m5max-mac17_6.txt"));
        assertEquals(List.of("standard"), tiers("sysctl-subset-m1virtual-githubrunner-macos26.6.2.txt"));
        assertEquals(List.of(), tiers("sysctl-hw-machdep-m1-macos11-bigsur.txt"), "macOS 11 has no performance levels");
        for (String f : List.of("sysctl-hw-machdep-m4max-j614c-macos15.txt", "sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt",
                "sysctl-hw.perflevel-m5max-mac17_6.txt")) {
            assertEquals(tiers(f), CoreTiers.fastestFirst(tiers(f).reversed()), f + ": the speed order does not depend on the order given");
        }
    }

    @Test
    void powermetricsClustersOnEveryCapture() {
        assertEquals(Map.of("e", "efficiency", "p0", "performance", "p1", "performance"),
                sorted(CoreTiers.tierOfKeys(powermetricsKeys("powermetrics-m4max-mac16_5-macos26.2.plist"),
                        tiers("sysctl-hw-machdep-m4max-j614c-macos15.txt"))));
        // the M1 on macOS 13: no sysctl capture of that machine beside it; the M1's tiers, and none (by letter)
        List<String> m1 = powermetricsKeys("powermetrics-m1-macbookpro17_1-macos13.3-a.plist");
        assertEquals(Map.of("e", "efficiency", "p", "performance"), sorted(CoreTiers.tierOfKeys(m1, List.of("performance", "efficiency"))));
        assertEquals(Map.of("e", "efficiency", "p", "performance"), sorted(CoreTiers.tierOfKeys(m1, List.of())));
        Map<String, String> ultra = CoreTiers.tierOfKeys(powermetricsKeys("powermetrics-m2ultra-mac14_14-macos14.4.plist"),
                List.of("performance", "efficiency"));
        assertEquals(Map.of("e0", "efficiency", "e1", "efficiency", "p0", "performance", "p1", "performance", "p2", "performance",
                "p3", "performance"), sorted(ultra));
    }

    /**
     * The M5 Max's Energy Model listing names its clusters {@code PCPU}, {@code MCPU0}, {@code MCPU1} (the
     * residency channels are assumed to share them: checklist row 19). The M1 Ultra's listing names its
     * clusters {@code DIE_0_EACC_CPU}…, which are not residency names; an Ultra's residency names are
     * in {@code IoReportTest}.
     */
    @Test
    void ioReportClustersOnEveryCaptureWithTheM5MaxsPcpuItsSuperTier() {
        assertEquals(Map.of("p", "super", "m0", "performance", "m1", "performance"),
                sorted(CoreTiers.tierOfKeys(ioReportKeys("ioreport-energy-model-channels-m5max-mac17_7-macos27.0.tsv"),
                        tiers("sysctl-hw.perflevel-m5max-mac17_6.txt"))),
                "PACC/PCPU is the Super tier beside MCPU0/MCPU1 (the listing's own naming)");
        // the M5 (Super + Efficiency): IOReport's PCPU/ECPU or powermetrics' S/E, either way Super and Efficiency
        List<String> m5 = tiers("sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt");
        assertEquals(Map.of("e", "efficiency", "p", "super"), sorted(CoreTiers.tierOfKeys(List.of("p", "e"), m5)));
        assertEquals(Map.of("e", "efficiency", "s", "super"), sorted(CoreTiers.tierOfKeys(List.of("s", "e"), m5)));
        // a chip of three tiers
        assertEquals(Map.of("e", "efficiency", "m0", "performance", "s", "super"),
                sorted(CoreTiers.tierOfKeys(List.of("s", "m0", "e"), List.of("efficiency", "super", "performance"))));
        // tiers unknown or counts that differ: by letter, never a guess by rank
        assertEquals(Map.of("m0", "performance", "p", "performance"), sorted(CoreTiers.tierOfKeys(List.of("p", "m0"), List.of())));
        assertEquals(Map.of("gpu", "gpu"), CoreTiers.tierOfKeys(List.of("gpu"), List.of("performance")), "no letter class: its own name");
    }

    @Test
    void theJudgesClustersGetTheSameTiers() {
        Map<String, Double> sample = Map.of("cluster_p_freq_hertz", 4.6e9, "cluster_p_active_ratio", 0.9, "cluster_m0_freq_hertz", 3.9e9,
                "cluster_m0_active_ratio", 0.9);
        Map<Integer, String> m5max = new java.util.HashMap<>();
        for (int i = 0; i < 18; i++) {
            m5max.put(i, i < 6 ? "super" : "performance");
        }
        Map<String, String> kinds = new TreeMap<>();
        ClusterClocks.readings(sample, m5max).forEach(r -> kinds.put(r.cluster(), r.kind()));
        assertEquals(Map.of("m0", "performance", "p", "super"), kinds, "a SKU's floor for 'super' is matched to the Super cluster");
    }
}
