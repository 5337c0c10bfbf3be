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
}
