package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compress then decompress seeded text-like data, checked by CRC32C of both the compressed stream
 * and the round-tripped bytes (decompression corruption is a documented fleet failure: the
 * "Cores that don't count" paper). zlib is deterministic for a given version and level, so the
 * compressed stream has a golden value too.
 */
final class DeflateKernel extends Kernel {
    static final int SIZE = 64 * 1024;
    private byte[] input;

    DeflateKernel() {
        super("deflate", "bytes");
    }

    @Override
    void prepare(RandomGenerator random) {
        String[] words = new String[256];
        for (int i = 0; i < words.length; i++) {
            StringBuilder w = new StringBuilder();
            int len = 2 + random.nextInt(9);
            for (int c = 0; c < len; c++) {
                w.append((char) ('a' + random.nextInt(26)));
            }
            words[i] = w.toString();
        }
        input = new byte[SIZE];
        int at = 0;
        while (at < SIZE) {
            // Zipf-ish: low word indices are much more common, as in text.
            String w = words[(int) (words.length * Math.pow(random.nextDouble(), 3))];
            for (int c = 0; c < w.length() && at < SIZE; c++) {
                input[at++] = (byte) w.charAt(c);
            }
            if (at < SIZE) {
                input[at++] = (byte) (random.nextInt(10) == 0 ? '\n' : ' ');
            }
        }
    }

    @Override
    long workPerRun() {
        return 2L * SIZE;
    }

    @Override
    Runner newRunner() {
        Deflater deflater = new Deflater(6);
        Inflater inflater = new Inflater();
        byte[] compressed = new byte[SIZE * 2];
        byte[] restored = new byte[SIZE];
        CRC32C crc = new CRC32C();
        return (fault, verify) -> {
            deflater.reset();
            deflater.setInput(input);
            deflater.finish();
            int clen = deflater.deflate(compressed);
            if (!deflater.finished()) {
                throw new DataPathException("deflate did not finish in " + compressed.length + " bytes");
            }
            long fp = 0;
            if (verify) {
                crc.reset();
                crc.update(compressed, 0, clen);
                fp = crc.getValue() ^ ((long) clen << 32);
            }
            if (fault) {
                compressed[clen / 2] ^= 0x20;
            }
            inflater.reset();
            inflater.setInput(compressed, 0, clen);
            int rlen;
            try {
                rlen = inflater.inflate(restored);
            } catch (DataFormatException e) {
                throw new DataPathException("inflate rejected the stream: " + e.getMessage());
            }
            if (rlen != SIZE || !inflater.finished()) {
                throw new DataPathException("inflate gave " + rlen + " bytes, expected " + SIZE);
            }
            if (!verify) {
                return restored[0];
            }
            crc.reset();
            crc.update(restored, 0, rlen);
            return Fingerprint.mix(fp) ^ crc.getValue();
        };
    }
}
