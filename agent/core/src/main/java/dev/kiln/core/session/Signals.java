package dev.kiln.core.session;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP during a run. The JVM's own handling would run shutdown hooks and exit
 * 130/143/129 whatever the run decided; here the first signal cancels the run, which then seals its
 * bundle and leaves with the verdict's exit code (2, incomplete, unless a defect was already found),
 * the code the summary prints. A second signal stops the process at once ({@code halt}) with the code
 * known so far: the journal, written and synced at every suite end, is intact, and the next start
 * seals it.
 *
 * <p>One process-wide handler is installed on first use and stays; outside a run it does what the
 * JVM would (exit 128 + the signal, shutdown hooks run), so a longer-lived JVM (tests) is left
 * behaving as before. A signal the process was started ignoring ({@code nohup}) stays ignored.
 */
public final class Signals implements AutoCloseable {
    private static final List<String> NAMES = List.of("INT", "TERM", "HUP");
    private static boolean installed;
    private static volatile Signals current;

    private final java.util.function.Supplier<String> what;
    private final Runnable cancel;
    private final IntSupplier exitCode;
    private final Consumer<String> notice;
    private final AtomicInteger received = new AtomicInteger();
    private volatile Runnable beforeHalt = () -> { };

    private Signals(java.util.function.Supplier<String> what, Runnable cancel, IntSupplier exitCode, Consumer<String> notice) {
        this.what = what;
        this.cancel = cancel;
        this.exitCode = exitCode;
        this.notice = notice;
    }

    /**
     * @param what      what the first signal does at the moment it comes, for the notice ("cancelling the run; …")
     * @param cancel    what the first signal does (cancel the run; it goes on to seal)
     * @param exitCode  the exit code a second signal leaves with
     * @param notice    one line on stderr for each signal
     */
    public static Signals install(java.util.function.Supplier<String> what, Runnable cancel, IntSupplier exitCode, Consumer<String> notice) {
        Signals s = new Signals(what, cancel, exitCode, notice);
        synchronized (Signals.class) {
            if (!installed) {
                for (String name : NAMES) {
                    try {
                        Signal.handle(new Signal(name), Signals::dispatch);
                    } catch (IllegalArgumentException | UnsupportedOperationException e) {
                        // not on this OS, or the JVM keeps it (-Xrs): the default handling stays
                    }
                }
                installed = true;
            }
            current = s;
        }
        return s;
    }

    private static void dispatch(Signal sig) {
        Signals s = current;
        if (s == null) {
            System.exit(128 + sig.getNumber()); // no run in progress: as the JVM would
        } else {
            s.on(sig);
        }
    }

    private void on(Signal sig) {
        if (received.incrementAndGet() == 1) {
            notice.accept("SIG" + sig.getName() + ": " + what.get() + " (a second signal stops at once)");
            cancel.run();
        } else {
            int code = exitCode.getAsInt();
            try {
                beforeHalt.run();
            } catch (RuntimeException e) {
                // the process stops whatever happens here
            }
            notice.accept("SIG" + sig.getName() + " again: stopping now with exit " + code);
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * Takes over from the handler of the start-up ({@code earlier}): a signal it received is this
     * one's first (its cancel is done now, and the next signal stops at once).
     */
    public Signals after(Signals earlier) {
        if (earlier != null && earlier.received() && received.compareAndSet(0, earlier.received.get())) {
            cancel.run();
        }
        return this;
    }

    /** What a second signal does just before the process stops (give the terminal back); it must not wait on anything. */
    public Signals beforeHalt(Runnable r) {
        beforeHalt = r;
        return this;
    }

    /** Whether a signal came during this run. */
    public boolean received() {
        return received.get() > 0;
    }

    @Override
    public void close() {
        synchronized (Signals.class) {
            if (current == this) {
                current = null;
            }
        }
    }
}
