package dev.kiln.suites.cpu;

/**
 * Message passing between two cores: each run sends a batch of cache-line messages to the partner
 * and takes every message the partner sent (see {@link Mailbox}); every payload word is checked
 * against its sequence number. With a helper thread as the partner the run waits until the helper
 * has taken the batch, so a bad message is said in the run that sent it. The fault seam tears one
 * word of the first message sent; the partner's check catches it, naming both cores.
 */
final class MessagePassingKernel extends CrossCoreKernel {
    static final int BATCH = 128;

    MessagePassingKernel() {
        super("message-passing", "messages");
    }

    @Override
    long workPerRun() {
        return BATCH;
    }

    @Override
    Runner newRunner(CorePlace place) {
        Link l = place.link;
        int side = place.side;
        java.util.concurrent.atomic.AtomicLong crossed = cross.messages.computeIfAbsent(place.phase, p -> new java.util.concurrent.atomic.AtomicLong());
        return new Runner() {
            @Override
            public long run(boolean fault, boolean verify) throws DataPathException {
                if (place.peer) {
                    int sent = l.mail[side].produce(BATCH, fault);
                    crossed.addAndGet(sent);
                    crossed.addAndGet(l.mail[1 - side].consume());
                } else {
                    withHelper(place, Helper.Task.MESSAGES, 0, () -> {
                        int sent = l.mail[side].produce(BATCH, fault);
                        crossed.addAndGet(sent);
                        crossed.addAndGet(l.mail[1 - side].consume());
                        long end = System.nanoTime() + 1_000_000_000L;
                        while (l.mail[side].backlog() > 0 && System.nanoTime() - end < 0) {
                            Thread.onSpinWait(); // the helper takes the batch before it is told to stop
                        }
                    });
                    crossed.addAndGet(l.mail[1 - side].consume()); // what the helper sent meanwhile
                }
                return 0;
            }

            /** The peer's last messages, and time for the peer to take ours (while it still runs). */
            @Override
            public void finish() throws DataPathException {
                crossed.addAndGet(l.mail[1 - side].consume());
                if (l.mail[side].tearPending()) {
                    crossed.addAndGet(l.mail[side].produce(1, false)); // a planted tear the full ring held back
                }
                long end = System.nanoTime() + 200_000_000L;
                while (place.peer && l.mail[side].backlog() > 0 && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                    crossed.addAndGet(l.mail[1 - side].consume());
                }
            }
        };
    }

    /** Messages left in any mailbox when every worker is done: taken and checked here, on the finishing thread. */
    static void drain(CrossCore cross, java.util.function.Consumer<CrossCoreFailure> bad) {
        synchronized (cross.links) {
            for (Link l : cross.links) {
                for (Mailbox m : l.mail) {
                    m.consumerName = "the suite's finish (the partner had stopped)";
                    try {
                        m.consume();
                    } catch (CrossCoreFailure f) {
                        bad.accept(f);
                    }
                }
            }
        }
    }
}
