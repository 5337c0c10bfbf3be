package dev.kiln.suites.cpu;

import java.lang.foreign.Arena;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmark of the message-passing kernel's transport (issue 33), run by {@code bench/crosscore.sh}
 * beside the C anchor {@code bench/c/pingpong.c} (the same ring, the same protocol, the payload
 * summed, not checked): messages per second between two threads on two cores, verified and
 * unverified, alternated. Prints figures; decides nothing.
 */
public final class CrossCoreBench {
    private CrossCoreBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // compiled first on one thread: two threads spinning on two CPUs leave the JIT's own threads no time
        try (Arena arena = Arena.ofShared()) {
            Mailbox m = new Mailbox(arena, 7);
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 3_000_000_000L) {
                m.produce(MessagePassingKernel.BATCH, false);
                m.consume(true);
                m.produce(MessagePassingKernel.BATCH, false);
                m.consume(false);
            }
        }
        rate(0.5, true);
        rate(0.5, false);
        for (int r = 0; r < rounds; r++) {
            double v = rate(seconds, true);
            double u = rate(seconds, false);
            System.out.printf(Locale.ROOT, "kiln-messages verified_per_second=%.0f unverified_per_second=%.0f verification_cost=%.3f%n", v, u, 1 - v / u);
        }
    }

    /** Messages per second from one thread to another through a fresh mailbox for {@code seconds}. */
    static double rate(double seconds, boolean verify) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Mailbox m = new Mailbox(arena, 7);
            AtomicBoolean stop = new AtomicBoolean();
            long[] taken = {0};
            Throwable[] bad = {null};
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    long n = 0;
                    while (!stop.get()) {
                        n += m.consume(verify);
                    }
                    taken[0] = n + m.consume(verify);
                } catch (CrossCoreFailure e) {
                    bad[0] = e;
                }
            });
            Thread producer = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    m.produce(MessagePassingKernel.BATCH, false);
                }
            });
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            stop.set(true);
            producer.join();
            consumer.join();
            double s = (System.nanoTime() - t0) / 1e9;
            if (bad[0] != null) {
                throw new IllegalStateException("a message was wrong in the benchmark: " + bad[0].getMessage());
            }
            return taken[0] / s;
        }
    }
}
