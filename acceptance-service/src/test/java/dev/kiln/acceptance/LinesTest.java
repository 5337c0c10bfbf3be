package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed line reader against String.split, on reads cut at every size and lines of every length. */
class LinesTest {
    /** A stream that gives at most {@code step} bytes a read, as a socket or an inflater may. */
    private static InputStream trickle(byte[] b, int step) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, step));
            }
        };
    }

    private static List<String> lines(byte[] b, int step, int maxLine, long[] skipped) throws IOException {
        List<String> out = new ArrayList<>();
        skipped[0] = Lines.each(trickle(b, step), maxLine, (buf, from, to) -> out.add(new String(buf, from, to - from, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void everyLineOnceWithoutItsEndWhateverTheReadsGive() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String line = "x".repeat(rnd.nextInt(0, i % 50 == 0 ? 3000 : 40)) + i;
            expected.add(line);
            text.append(line).append(rnd.nextBoolean() ? "\r\n" : "\n");
        }
        text.append("last-without-newline");
        expected.add("last-without-newline");
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        long[] skipped = new long[1];
        for (int step : new int[] {1, 2, 7, 37, 4096, 1 << 20}) {
            assertEquals(expected, lines(b, step, 1 << 20, skipped), "reads of " + step);
            assertEquals(0, skipped[0]);
        }
    }

    @Test
    void aLineLongerThanTheMostIsSkippedWholeAndCounted() throws Exception {
        String tooLong = "y".repeat(5000);
        byte[] b = ("a\n" + tooLong + "\nb\r\n" + tooLong + "\n" + tooLong).getBytes(StandardCharsets.UTF_8);
        long[] skipped = new long[1];
        for (int step : new int[] {1, 100, 1 << 16}) {
            assertEquals(List.of("a", "b"), lines(b, step, 1000, skipped), "reads of " + step);
            assertEquals(3, skipped[0], "the two in the middle and the one at the end");
        }
        assertEquals(List.of(), lines(new byte[0], 1, 10, skipped));
        assertEquals(List.of("", ""), lines("\n\r\n".getBytes(StandardCharsets.UTF_8), 1, 10, skipped));
    }
}
