package dev.kiln.core.runner;

import java.time.Instant;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One hold for every member of a stage: each member prepares, then {@linkplain #arrive arrives} and
 * waits; when the last one has arrived (or left: skipped, broken, stopped before its load) the load
 * starts for all at one instant, and each runs the stage's one duration from there, so they end
 * together too. The hold the judge sees is {@link #opened()} to {@link #lastLoadEnd()}: prepare and
 * clean-up are outside it.
 */
final class StageGate {
    private final Phaser phaser;
    private volatile Instant opened;
    private final AtomicReference<Instant> lastEnd = new AtomicReference<>();

    /** @param members the members that will arrive or leave */
    StageGate(int members) {
        phaser = new Phaser(members) {
            @Override
            protected boolean onAdvance(int phase, int registered) {
                opened = Instant.now();
                return true; // one opening: the gate stays open
            }
        };
    }

    /**
     * Arrives and waits for the others; returns when the load may start (or at once on {@code stop},
     * or when the waiting thread is interrupted).
     */
    void arrive(AtomicBoolean stop) {
        int phase = phaser.arrive();
        while (!phaser.isTerminated()) {
            try {
                phaser.awaitAdvanceInterruptibly(phase, 50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (stop.get()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A member that will not arrive (it ended before its load) stops being waited for. */
    void leave() {
        phaser.arriveAndDeregister();
    }

    /** A member's load ended. */
    void loadEnded(Instant at) {
        lastEnd.accumulateAndGet(at, (a, b) -> a == null || b.isAfter(a) ? b : a);
    }

    /** When the load started for every member, or null when it never did. */
    Instant opened() {
        return opened;
    }

    /** When the last member's load ended, or null. */
    Instant lastLoadEnd() {
        return lastEnd.get();
    }
}
