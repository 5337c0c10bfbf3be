package dev.kiln.core.platform;

import java.util.ArrayList;
import java.util.List;

/** The kernel's CPU list format ({@code 0-3,8,10-11}), as in sysfs and {@code /proc/self/status}. */
public final class CpuList {
    private CpuList() {
    }

    /** @throws IllegalArgumentException on anything but a well-formed list */
    public static List<Integer> parse(String text) {
        List<Integer> cpus = new ArrayList<>();
        String t = text.trim();
        if (t.isEmpty()) {
            return cpus;
        }
        for (String part : t.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                if (dash < 0) {
                    cpus.add(Integer.parseInt(p));
                } else {
                    int from = Integer.parseInt(p.substring(0, dash));
                    int to = Integer.parseInt(p.substring(dash + 1));
                    if (to < from || to - from > 65536) {
                        throw new IllegalArgumentException("bad CPU range '" + p + "'");
                    }
                    for (int c = from; c <= to; c++) {
                        cpus.add(c);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + text + "'");
            }
        }
        return cpus;
    }

    /** CPUs in the kernel's form, runs joined: {@code [0, 1, 2, 3, 8]} is {@code 0-3,8}. */
    public static String format(List<Integer> cpus) {
        List<Integer> sorted = cpus.stream().distinct().sorted().toList();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            int from = sorted.get(i);
            int to = from;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == to + 1) {
                to = sorted.get(++i);
            }
            b.append(b.isEmpty() ? "" : ",").append(from).append(to == from ? "" : "-" + to);
        }
        return b.toString();
    }
}
