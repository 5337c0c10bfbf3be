package dev.kiln.suites.cpu;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Branch-heavy integer work: sort seeded integers, then binary-search seeded keys in the result.
 * The check compares the sorted array with the golden one and covers the search results.
 */
final class SortKernel extends Kernel {
    static final int SIZE = 1 << 16;
    static final int SEARCHES = 4096;
    private int[] input;
    private int[] keys;
    private int[] sorted;

    SortKernel() {
        super("sort", "elements");
    }

    @Override
    void prepare(RandomGenerator random) {
        input = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            input[i] = random.nextInt();
        }
        keys = new int[SEARCHES];
        for (int i = 0; i < SEARCHES; i++) {
            keys[i] = random.nextBoolean() ? input[random.nextInt(SIZE)] : random.nextInt();
        }
        sorted = input.clone();
        Arrays.sort(sorted); // the golden output, sorted once on the preparing thread
    }

    @Override
    long workPerRun() {
        return SIZE;
    }

    @Override
    Runner newRunner() {
        int[] work = new int[SIZE];
        return (fault, verify) -> {
            System.arraycopy(input, 0, work, 0, SIZE);
            Arrays.sort(work);
            if (fault) {
                work[SIZE / 2] ^= 1 << 9; // a bad store after the sort
            }
            long found = 0;
            for (int k : keys) {
                found = found * 31 + Arrays.binarySearch(work, k);
            }
            // Compared element by element with the golden output (a vectorised mismatch): -1 when
            // equal, else the first differing index.
            return verify ? Fingerprint.mix(found) ^ Arrays.mismatch(work, sorted) : work[0] ^ found;
        };
    }
}
