package dev.kiln.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Keeps stdout for what Kiln itself writes. A native library may print to file descriptor 1 (JOCL's
 * loader prints "Could not load libOpenCL.so…" there when no OpenCL loader is installed), which
 * would break {@code --json} and the {@code --output jsonl} event stream. At start the process keeps
 * a duplicate of descriptor 1 for its own output and points descriptor 1, and {@code System.out},
 * at stderr: whatever else writes to "stdout" lands on stderr. Where the C library cannot be
 * reached (no native access) stdout is left as it is.
 */
final class Stdout {
    private Stdout() {
    }

    /** A stream on the real stdout; from now on everything else written to stdout goes to stderr. */
    static PrintStream claim() {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dup = linker.downcallHandle(libc.find("dup").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MethodHandle dup2 = linker.downcallHandle(libc.find("dup2").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            MethodHandle write = linker.downcallHandle(libc.find("write").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
            System.out.flush();
            int saved = (int) dup.invokeExact(1);
            if (saved < 0) {
                return System.out;
            }
            if ((int) dup2.invokeExact(2, 1) < 0) {
                return System.out;
            }
            System.setOut(System.err);
            return new PrintStream(new FdStream(saved, write), true, StandardCharsets.UTF_8);
        } catch (Throwable e) {
            return System.out; // no native access here: stdout stays shared
        }
    }

    /** Writes to a file descriptor with write(2), all of each buffer. */
    private static final class FdStream extends OutputStream {
        private final int fd;
        private final MethodHandle write;

        FdStream(int fd, MethodHandle write) {
            this.fd = fd;
            this.write = write;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocate(len);
                MemorySegment.copy(b, off, buf, JAVA_BYTE, 0, len);
                long done = 0;
                int tries = 0;
                while (done < len) {
                    long n = (long) write.invokeExact(fd, buf.asSlice(done), (long) (len - done));
                    if (n > 0) {
                        done += n;
                    } else if (++tries > 100) { // EINTR or EAGAIN a hundred times: give up on this buffer
                        throw new IOException("cannot write to stdout (write returned " + n + ")");
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("cannot write to stdout: " + t, t);
            }
        }
    }
}
