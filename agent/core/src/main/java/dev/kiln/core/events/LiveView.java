package dev.kiln.core.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.ExternalTerminal;
import org.jline.utils.AttributedString;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.Status;

/**
 * The live lines at the bottom of a terminal, one per running suite, with the run's ordinary lines
 * (suites starting and ending, failures, notices) scrolling above them. Built on JLine: the terminal's
 * own capabilities (terminfo) and size, and JLine's {@link Status}, which keeps a scroll region above
 * the lines it redraws; no escape codes of our own.
 *
 * <p>JLine is told to leave signals alone: the run's own SIGINT/SIGTERM handling (cancel, seal,
 * exit with the verdict's code) must stay in charge, and a resized window is noticed by asking the
 * terminal its size at each redraw instead of by SIGWINCH.
 */
public final class LiveView implements AutoCloseable {
    private final Terminal terminal;
    private final Status status;
    private final PrintStream out;
    private final boolean fixedSize;
    private volatile Size size;
    private volatile boolean closed;
    /** Held while the view draws or closes; {@link #abandon} waits for it only briefly. */
    private final java.util.concurrent.locks.ReentrantLock drawing = new java.util.concurrent.locks.ReentrantLock();

    private LiveView(Terminal terminal, boolean fixedSize) {
        this.terminal = terminal;
        this.fixedSize = fixedSize;
        this.size = terminal.getSize();
        this.status = new Status(terminal);
        this.out = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
    }

    /**
     * The live view on this process's terminal (stdout), or null where it cannot hold one: no
     * terminal, a dumb one, or one without the cursor addressing and scroll region the view needs
     * (the caller then prints plain lines).
     */
    public static LiveView onSystemTerminal() {
        try {
            Terminal t = TerminalBuilder.builder().system(true).systemOutput(TerminalBuilder.SystemOutput.SysOut).nativeSignals(false).signalHandler(Terminal.SignalHandler.SIG_IGN)
                    .encoding(StandardCharsets.UTF_8).dumb(true).build();
            return usable(t) ? new LiveView(t, false) : null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return null; // no provider could reach the terminal: plain lines
        }
    }

    /**
     * The live view written to a stream, for a terminal Kiln cannot see as one (a terminal
     * multiplexer's pipe, {@code --progress live} into a file) and for tests: the terminal type and
     * size are given.
     */
    public static LiveView onStream(OutputStream stream, String type, int columns, int rows) {
        try {
            // an emulated terminal over the stream itself, written synchronously (the builder would
            // open a pseudo-terminal and pump it into the stream from a thread of its own)
            ExternalTerminal t = new ExternalTerminal("kiln", type, InputStream.nullInputStream(), stream, StandardCharsets.UTF_8);
            t.setSize(new Size(columns, rows));
            return usable(t) ? new LiveView(t, true) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean usable(Terminal t) {
        Size s = t.getSize();
        boolean ok = !t.getType().startsWith(Terminal.TYPE_DUMB) && s.getColumns() >= 20 && s.getRows() >= 4
                && t.getStringCapability(Capability.change_scroll_region) != null
                && t.getStringCapability(Capability.save_cursor) != null
                && t.getStringCapability(Capability.restore_cursor) != null
                && t.getStringCapability(Capability.cursor_address) != null;
        if (!ok) {
            try {
                t.close();
            } catch (IOException e) {
                // nothing was drawn
            }
        }
        return ok;
    }

    /** Where the run's ordinary lines go: they scroll above the live lines. */
    public PrintStream out() {
        return out;
    }

    /** The terminal's width now, in columns. */
    public int columns() {
        return size.getColumns();
    }

    /**
     * Replaces the live lines (at most a third of the screen; longer lines end in an ellipsis).
     * Nothing happens once closed.
     */
    public void show(List<AttributedString> lines) {
        drawing.lock();
        try {
            if (closed) {
                return;
            }
            out.flush();
            if (!fixedSize) {
                Size now = terminal.getSize();
                if (now.getColumns() > 0 && now.getRows() > 0 && !now.equals(size)) {
                    size = now;
                    status.resize(now);
                }
            }
            int room = Math.max(1, size.getRows() / 3);
            status.update(lines.size() > room ? lines.subList(0, room) : lines);
            terminal.flush();
        } finally {
            drawing.unlock();
        }
    }

    /**
     * For a process about to stop at once (a second signal): gives the whole screen back as the
     * scroll region and puts the cursor on the last line (the lines drawn stay on the screen as they
     * were). A redraw in progress is given 200 ms to end, so that it cannot set its region again
     * after this; past that (a terminal that stopped reading) this goes ahead without it. After this
     * the view draws nothing.
     */
    public void abandon() {
        boolean held = false;
        try {
            held = drawing.tryLock(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            giveScreenBack();
        } finally {
            if (held) {
                drawing.unlock();
            }
        }
    }

    private void giveScreenBack() {
        try {
            int rows = size.getRows();
            terminal.puts(Capability.change_scroll_region, 0, rows - 1);
            terminal.puts(Capability.cursor_address, rows - 1, 0);
            if (terminal.getStringCapability(Capability.cursor_normal) != null) {
                terminal.puts(Capability.cursor_normal);
            }
            terminal.writer().println();
            terminal.flush();
        } catch (RuntimeException e) {
            // the terminal is gone: nothing to give back
        }
    }

    /** Takes the live lines away and gives the whole screen back to ordinary output. */
    @Override
    public void close() {
        drawing.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            out.flush();
            status.update(List.of());
            status.close();
            terminal.flush();
        } finally {
            drawing.unlock();
        }
    }
}
