package dev.kiln.suites.cpu;

import java.math.BigInteger;
import java.util.random.RandomGenerator;

/**
 * Big-integer arithmetic with a known answer: the Lucas–Lehmer test of a known Mersenne prime
 * 2^p − 1 ends with residue 0. Exercises the integer multiplier and carry chains through
 * BigInteger's multiply intrinsics. The fingerprint is the residue itself, so the golden value is
 * known from mathematics, not only from the preparing core.
 */
final class LucasLehmerKernel extends Kernel {
    /** Exponents of known Mersenne primes; p is drawn from these with the run seed. */
    private static final int[] PRIMES = {521, 607, 1279, 2203, 2281};
    private int p;
    private BigInteger mersenne;

    LucasLehmerKernel() {
        super("lucas-lehmer", "squarings");
    }

    @Override
    void prepare(RandomGenerator random) {
        p = PRIMES[random.nextInt(PRIMES.length)];
        mersenne = BigInteger.ONE.shiftLeft(p).subtract(BigInteger.ONE);
    }

    int exponent() {
        return p;
    }

    @Override
    long workPerRun() {
        return p - 2L;
    }

    @Override
    Runner newRunner() {
        return (fault, verify) -> {
            BigInteger s = BigInteger.valueOf(4);
            int flipAt = p / 2;
            for (int i = 0; i < p - 2; i++) {
                s = s.multiply(s).subtract(BigInteger.TWO);
                if (s.signum() < 0) {
                    s = s.add(mersenne);
                }
                // s mod (2^p - 1) without division: fold the high bits onto the low ones.
                s = s.and(mersenne).add(s.shiftRight(p));
                if (s.compareTo(mersenne) >= 0) {
                    s = s.subtract(mersenne);
                }
                if (fault && i == flipAt) {
                    s = s.flipBit(p / 3);
                }
            }
            // Residue 0 is the known answer; anything else is folded into a non-zero fingerprint.
            return s.signum() == 0 ? 0 : Fingerprint.mix(s.longValue() ^ ((long) s.bitLength() << 48)) | 1;
        };
    }
}
