package dev.kiln.core.platform.mac;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.mac.CoreFoundation.CFArrayRef;
import com.sun.jna.platform.mac.CoreFoundation.CFDictionaryRef;
import com.sun.jna.platform.mac.CoreFoundation.CFMutableDictionaryRef;
import com.sun.jna.platform.mac.CoreFoundation.CFStringRef;
import com.sun.jna.platform.mac.IOKit.IOIterator;
import com.sun.jna.platform.mac.IOKit.IORegistryEntry;
import com.sun.jna.platform.mac.IOKitUtil;
import com.sun.jna.ptr.PointerByReference;
import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Power and clocks without root from IOReport (the private {@code libIOReport} that macmon, mactop
 * and all-smi read): one subscription to the {@code Energy Model}, {@code CPU Stats / CPU Complex
 * Performance States} and {@code GPU Stats / GPU Performance States} channels, one sample per
 * telemetry tick, the delta with the previous decoded by {@link IoReport} (tested on captures):
 * {@code ioreport_{cpu,gpu,ane,dram}_watts}, {@code cluster_<key>_freq_hertz} and
 * {@code cluster_<key>_active_ratio} named as powermetrics names the clusters, {@code gpu_freq_hertz}
 * and {@code gpu_active_ratio}. The DVFS tables come from the {@code pmgr} device's
 * {@code voltage-states*} properties; a cluster whose table cannot be told apart gets no clock.
 * Used only where powermetrics does not run (it gives the same channels as root).
 *
 * <p>macOS only, never yet run on a Mac (docs/on-hardware-checklist.md row 19). Signatures as the
 * public monitors declare them (exelban/stats {@code Modules/CPU/bridge.h}).
 */
public final class IoReportSource implements TelemetrySource {
    /** libIOReport's calls. */
    interface Lib extends Library {
        CFMutableDictionaryRef IOReportCopyChannelsInGroup(CFStringRef group, CFStringRef subgroup, long a, long b, long c);

        void IOReportMergeChannels(CFDictionaryRef a, CFDictionaryRef b, Pointer nil);

        Pointer IOReportCreateSubscription(Pointer a, CFMutableDictionaryRef desired, PointerByReference subbed, long channelId, Pointer b);

        CFDictionaryRef IOReportCreateSamples(Pointer subscription, CFMutableDictionaryRef subbed, Pointer a);

        CFDictionaryRef IOReportCreateSamplesDelta(CFDictionaryRef previous, CFDictionaryRef current, Pointer a);

        CFStringRef IOReportChannelGetGroup(CFDictionaryRef channel);

        CFStringRef IOReportChannelGetSubGroup(CFDictionaryRef channel);

        CFStringRef IOReportChannelGetChannelName(CFDictionaryRef channel);

        CFStringRef IOReportChannelGetUnitLabel(CFDictionaryRef channel);

        long IOReportSimpleGetIntegerValue(CFDictionaryRef channel, int index);

        int IOReportStateGetCount(CFDictionaryRef channel);

        CFStringRef IOReportStateGetNameForIndex(CFDictionaryRef channel, int index);

        long IOReportStateGetResidency(CFDictionaryRef channel, int index);
    }

    private static final String[][] GROUPS = {{"Energy Model", null}, {"CPU Stats", "CPU Complex Performance States"},
        {"GPU Stats", "GPU Performance States"}};

    private final Lib lib;
    private final Pointer subscription;
    private final CFMutableDictionaryRef subbed;
    private final Map<String, long[]> cpuTables;
    private final long[] gpuTable;
    private final Consumer<String> warn;
    private final java.util.Set<String> warned = new java.util.HashSet<>();
    private CFDictionaryRef previous;
    private long previousNanos;

    private IoReportSource(Lib lib, Pointer subscription, CFMutableDictionaryRef subbed, Map<String, long[]> cpuTables, long[] gpuTable,
                           Consumer<String> warn) {
        this.lib = lib;
        this.subscription = subscription;
        this.subbed = subbed;
        this.cpuTables = cpuTables;
        this.gpuTable = gpuTable;
        this.warn = warn;
        this.previous = lib.IOReportCreateSamples(subscription, subbed, null);
        this.previousNanos = System.nanoTime();
    }

    /** @throws IOException when libIOReport cannot be loaded or subscribed to (not a Mac, or a macOS that changed it) */
    public static IoReportSource open(Consumer<String> warn) throws IOException {
        Lib lib;
        try {
            lib = Native.load("/usr/lib/libIOReport.dylib", Lib.class);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("libIOReport cannot be loaded: " + e);
        }
        try {
            CFMutableDictionaryRef channels = null;
            for (String[] g : GROUPS) {
                CFStringRef group = CFStringRef.createCFString(g[0]);
                CFStringRef sub = g[1] == null ? null : CFStringRef.createCFString(g[1]);
                CFMutableDictionaryRef c = lib.IOReportCopyChannelsInGroup(group, sub, 0, 0, 0);
                group.release();
                if (sub != null) {
                    sub.release();
                }
                if (c == null) {
                    continue;
                }
                if (channels == null) {
                    channels = c;
                } else {
                    lib.IOReportMergeChannels(channels, c, null);
                    c.release();
                }
            }
            if (channels == null) {
                throw new IOException("IOReport lists none of the Energy Model, CPU and GPU performance-state channels");
            }
            PointerByReference subbed = new PointerByReference();
            Pointer subscription = lib.IOReportCreateSubscription(null, channels, subbed, 0, null);
            if (subscription == null || subbed.getValue() == null) {
                throw new IOException("IOReport refused the subscription");
            }
            Map<String, long[]> tables = pmgrTables();
            Map<String, long[]> cpu = new LinkedHashMap<>();
            tables.forEach((k, v) -> {
                if (k.endsWith("-sram")) {
                    cpu.put(k, v);
                }
            });
            return new IoReportSource(lib, subscription, new CFMutableDictionaryRef(subbed.getValue()), cpu, tables.get("voltage-states9"), warn);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("IOReport cannot be subscribed to: " + e);
        }
    }

    /** The {@code pmgr} device's DVFS tables ({@code voltage-states*}), frequencies in Hz. */
    static Map<String, long[]> pmgrTables() {
        Map<String, long[]> out = new LinkedHashMap<>();
        IOIterator it = IOKitUtil.getMatchingServices("AppleARMIODevice");
        if (it == null) {
            return out;
        }
        try {
            for (IORegistryEntry e = it.next(); e != null; e = it.next()) {
                try {
                    if (!"pmgr".equals(e.getName())) {
                        continue;
                    }
                    for (int i = 0; i < 64; i++) {
                        for (String key : new String[] {"voltage-states" + i, "voltage-states" + i + "-sram"}) {
                            byte[] b = e.getByteArrayProperty(key);
                            if (b != null && b.length >= 8) {
                                out.put(key, IoReport.frequencies(b));
                            }
                        }
                    }
                } finally {
                    e.release();
                }
            }
        } finally {
            it.release();
        }
        return out;
    }

    @Override
    public String name() {
        return "ioreport";
    }

    @Override
    public List<String> channels() {
        return List.of(); // known from the first sample: the clusters are the chip's
    }

    @Override
    public synchronized Map<String, Double> sample() {
        CFDictionaryRef current = lib.IOReportCreateSamples(subscription, subbed, null);
        long now = System.nanoTime();
        if (current == null) {
            return Map.of();
        }
        CFDictionaryRef delta = lib.IOReportCreateSamplesDelta(previous, current, null);
        previous.release();
        previous = current;
        double seconds = (now - previousNanos) / 1e9;
        previousNanos = now;
        if (delta == null) {
            return Map.of();
        }
        try {
            return decode(delta, seconds);
        } finally {
            delta.release();
        }
    }

    private Map<String, Double> decode(CFDictionaryRef delta, double seconds) {
        CFStringRef key = CFStringRef.createCFString("IOReportChannels");
        Pointer arr = delta.getValue(key);
        key.release();
        if (arr == null) {
            return Map.of();
        }
        CFArrayRef items = new CFArrayRef(arr);
        List<IoReport.EnergyDelta> energy = new ArrayList<>();
        Map<String, Object[]> clusters = new LinkedHashMap<>(); // channel name -> {states, residencies}
        Object[] gpu = null;
        for (int i = 0; i < items.getCount(); i++) {
            CFDictionaryRef ch = new CFDictionaryRef(items.getValueAtIndex(i));
            String group = string(lib.IOReportChannelGetGroup(ch));
            String name = string(lib.IOReportChannelGetChannelName(ch));
            if ("Energy Model".equals(group)) {
                energy.add(new IoReport.EnergyDelta(name, string(lib.IOReportChannelGetUnitLabel(ch)), lib.IOReportSimpleGetIntegerValue(ch, 0)));
            } else if ("CPU Stats".equals(group) || "GPU Stats".equals(group)) {
                int n = lib.IOReportStateGetCount(ch);
                List<String> states = new ArrayList<>();
                long[] res = new long[n];
                for (int s = 0; s < n; s++) {
                    states.add(string(lib.IOReportStateGetNameForIndex(ch, s)));
                    res[s] = lib.IOReportStateGetResidency(ch, s);
                }
                if ("GPU Stats".equals(group) && "GPUPH".equals(name)) {
                    gpu = new Object[] {states, res};
                } else if ("CPU Stats".equals(group)) {
                    clusters.put(name, new Object[] {states, res});
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>(IoReport.watts(energy, seconds));
        Map<String, String> keys = IoReport.clusterKeys(List.copyOf(clusters.keySet()));
        keys.forEach((channel, k) -> clock("cluster_" + k, channel, clusters.get(channel), cpuTables, out));
        if (gpu != null && gpuTable != null) {
            clock("gpu", "GPUPH", gpu, Map.of("voltage-states9", gpuTable), out);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void clock(String prefix, String channel, Object[] sr, Map<String, long[]> tables, Map<String, Double> out) {
        List<String> states = (List<String>) sr[0];
        long[] table = IoReport.tableFor(IoReport.clockStates(states), tables);
        IoReport.Clock c = table == null ? null : IoReport.clock(states, (long[]) sr[1], table);
        if (c == null) {
            if (warned.add(channel)) {
                warn.accept("IOReport channel " + channel + " has " + IoReport.clockStates(states) + " clock states and no one DVFS table of "
                        + "that many rows: its clock is left out");
            }
            return;
        }
        out.put(prefix + "_freq_hertz", c.hertz());
        out.put(prefix + "_active_ratio", c.activeRatio());
    }

    private static String string(CFStringRef s) {
        return s == null ? "" : s.stringValue();
    }
}
