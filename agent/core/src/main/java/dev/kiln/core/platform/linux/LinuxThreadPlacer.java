package dev.kiln.core.platform.linux;

import dev.kiln.api.WorkPlan.Placement;
import dev.kiln.core.platform.ThreadPlacer;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Pins threads with glibc's {@code sched_setaffinity(0, ...)} (0 = the calling thread) through the
 * foreign function API, and reads where a thread runs with {@code sched_getcpu()}.
 */
public final class LinuxThreadPlacer implements ThreadPlacer {
    /** glibc's cpu_set_t: 1024 bits. */
    private static final int CPU_SET_BYTES = 128;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle setAffinity;
    private final MethodHandle getAffinity;
    private final MethodHandle getCpu;

    public LinuxThreadPlacer() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        FunctionDescriptor affinity = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
        Linker.Option errno = Linker.Option.captureCallState("errno");
        setAffinity = linker.downcallHandle(find(libc, "sched_setaffinity"), affinity, errno);
        getAffinity = linker.downcallHandle(find(libc, "sched_getaffinity"), affinity, errno);
        getCpu = linker.downcallHandle(find(libc, "sched_getcpu"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
    }

    @Override
    public Result place(Placement placement) {
        if (placement.cpu() < 0) {
            return new Result(false, "unpinned");
        }
        if (placement.cpu() >= CPU_SET_BYTES * 8) {
            return new Result(false, "not pinned: cpu " + placement.cpu() + " is beyond cpu_set_t");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES);
            int cpu = placement.cpu();
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) setAffinity.invokeExact(state, 0, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                return new Result(false, "not pinned: sched_setaffinity(cpu " + cpu + ") failed, errno "
                        + (int) ERRNO.get(state, 0L));
            }
            return new Result(true, "pinned to cpu " + cpu);
        } catch (Throwable t) {
            return new Result(false, "not pinned: " + t);
        }
    }

    /** The CPUs this process may run on, from {@code sched_getaffinity}; empty when it fails. */
    public List<Integer> allowedCpus() {
        List<Integer> cpus = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES);
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) getAffinity.invokeExact(state, 0, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                return cpus;
            }
            for (int i = 0; i < CPU_SET_BYTES * 8; i++) {
                if ((mask.get(ValueLayout.JAVA_BYTE, i / 8) & (1 << (i % 8))) != 0) {
                    cpus.add(i);
                }
            }
        } catch (Throwable t) {
            cpus.clear();
        }
        return cpus;
    }

    @Override
    public int currentCpu() {
        try {
            return (int) getCpu.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }

    @Override
    public String method() {
        return "sched_setaffinity";
    }
}
