package dev.kiln.acceptance;

import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of a stream handed to a callback from one buffer that is refilled as it is read, so a
 * telemetry file of gigabytes (a month of samples) is scanned in the memory of its longest line. A
 * line longer than {@code maxLine} is skipped whole and counted, never held.
 */
final class Lines {
    private Lines() {
    }

    /** One line, {@code b[from, to)}, without its {@code \n} or {@code \r\n}; valid only during the call. */
    interface Sink {
        void line(byte[] b, int from, int to) throws IOException;
    }

    /** Hands every line to {@code sink}; returns how many were longer than {@code maxLine} and skipped. */
    static long each(InputStream in, int maxLine, Sink sink) throws IOException {
        byte[] buf = new byte[Math.min(maxLine + 1, 16 * 1024)]; // grown for a longer line, up to maxLine
        int have = 0; // bytes in buf
        int start = 0; // where the current line starts
        int scanned = 0; // bytes of the current line looked at for '\n'
        boolean skipping = false; // within a line too long to keep
        long skipped = 0;
        while (true) {
            int n = in.read(buf, have, buf.length - have);
            if (n < 0) {
                break;
            }
            have += n;
            for (int i = scanned; i < have; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                if (!skipping) {
                    sink.line(buf, start, i > start && buf[i - 1] == '\r' ? i - 1 : i);
                }
                skipping = false;
                start = i + 1;
            }
            scanned = have;
            if (start > 0) { // the partial line to the front
                System.arraycopy(buf, start, buf, 0, have - start);
                have -= start;
                scanned = have;
                start = 0;
            }
            if (have == buf.length) { // no end of line in a full buffer
                if (skipping || have > maxLine) {
                    if (!skipping) {
                        skipped++;
                    }
                    skipping = true;
                    have = 0;
                    scanned = 0;
                } else {
                    buf = java.util.Arrays.copyOf(buf, (int) Math.min((long) maxLine + 1, 2L * buf.length));
                }
            }
        }
        if (have > start && !skipping) {
            sink.line(buf, start, buf[have - 1] == '\r' ? have - 1 : have);
        }
        return skipped;
    }
}
