package dev.kiln.suites.gpu;

import static org.jocl.CL.CL_COMPLETE;
import static org.jocl.CL.CL_EVENT_COMMAND_EXECUTION_STATUS;
import static org.jocl.CL.CL_FALSE;
import static org.jocl.CL.CL_MAP_READ;
import static org.jocl.CL.CL_MAP_WRITE;
import static org.jocl.CL.CL_MEM_ALLOC_HOST_PTR;
import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clEnqueueFillBuffer;
import static org.jocl.CL.clEnqueueMapBuffer;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueUnmapMemObject;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFlush;
import static org.jocl.CL.clGetEventInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseEvent;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * One device's OpenCL objects and the answers its kernels must give. Used from one worker thread.
 * Every command is enqueued without blocking and waited for against a deadline ({@link #await}): a
 * command past it throws {@link DeadlineMissed}, and the suite ends HUNG naming the device.
 */
final class DeviceRun extends GpuRun {
    final OpenCl.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    private final cl_kernel fma;
    private final cl_kernel fill;
    private final cl_kernel check;
    private final List<cl_mem> buffers = new ArrayList<>();
    private final cl_mem out;
    private final cl_mem memory;
    private final cl_mem count;
    private final cl_mem where;
    private final cl_mem what;
    private final ByteBuffer goldenBytes;
    private final ByteBuffer gotBytes;

    /** @param golden {@link #golden} of the same inputs and iterations */
    DeviceRun(OpenCl.Device device, String source, float[] a, float[] b, float[] x0, int iterations, float[] golden, long memoryBytes) {
        super(a.length / 16, iterations, memoryBytes / 4);
        this.device = device;
        cl_device_id[] ids = {device.id()};
        context = clCreateContext(null, 1, ids, null, null, null);
        queue = clCreateCommandQueue(context, device.id(), 0, null);
        program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 1, ids, "", null, null);
        } catch (org.jocl.CLException e) {
            throw new IllegalStateException("the kernels do not build on " + device.name() + ": " + e.getMessage() + "\n" + buildLog(device), e);
        }
        fma = clCreateKernel(program, "fma_dense", null);
        fill = clCreateKernel(program, "mem_fill", null);
        check = clCreateKernel(program, "mem_check", null);
        cl_mem ba = input(a);
        cl_mem bb = input(b);
        cl_mem bx = input(x0);
        out = buffer(CL_MEM_WRITE_ONLY, (long) x0.length * Sizeof.cl_float, null);
        memory = buffer(CL_MEM_READ_WRITE, words * Sizeof.cl_uint, null);
        count = buffer(CL_MEM_READ_WRITE, Sizeof.cl_uint, null);
        where = buffer(CL_MEM_WRITE_ONLY, (long) KEEP * Sizeof.cl_ulong, null);
        what = buffer(CL_MEM_WRITE_ONLY, (long) KEEP * Sizeof.cl_uint, null);
        arg(fma, 0, ba);
        arg(fma, 1, bb);
        arg(fma, 2, bx);
        arg(fma, 3, out);
        clSetKernelArg(fma, 4, Sizeof.cl_int, Pointer.to(new int[] {iterations}));
        arg(fill, 0, memory);
        arg(check, 0, memory);
        arg(check, 3, count);
        arg(check, 4, where);
        arg(check, 5, what);
        clSetKernelArg(check, 6, Sizeof.cl_uint, Pointer.to(new int[] {KEEP}));
        gotBytes = ByteBuffer.allocateDirect(x0.length * 4).order(ByteOrder.nativeOrder());
        goldenBytes = ByteBuffer.allocateDirect(x0.length * 4).order(ByteOrder.nativeOrder());
        goldenBytes.asFloatBuffer().put(golden);
    }

    private String buildLog(OpenCl.Device device) {
        long[] size = new long[1];
        org.jocl.CL.clGetProgramBuildInfo(program, device.id(), org.jocl.CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        org.jocl.CL.clGetProgramBuildInfo(program, device.id(), org.jocl.CL.CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    private cl_mem input(float[] v) {
        return buffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) v.length * Sizeof.cl_float, Pointer.to(v));
    }

    private cl_mem buffer(long flags, long bytes, Pointer host) {
        cl_mem m = clCreateBuffer(context, flags, bytes, host, null);
        buffers.add(m);
        return m;
    }

    private static void arg(cl_kernel k, int i, cl_mem m) {
        clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
    }

    @Override
    GpuDevice device() {
        return device;
    }

    /**
     * Waits for a command against its deadline: {@link #DEADLINE_FACTOR} × the first run of the same
     * kind ({@code op}), at least {@link #FLOOR_NANOS}. A command the device failed (a negative status:
     * the device lost) throws the driver's code; one past its deadline throws {@link DeadlineMissed}.
     */
    private void await(cl_event ev, String op, long started) throws DeadlineMissed {
        clFlush(queue);
        long limit = deadline(op);
        int[] status = new int[1];
        long sleep = 20_000L;
        try {
            while (true) {
                clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(status), null);
                if (status[0] == CL_COMPLETE) {
                    break;
                }
                if (status[0] < 0) {
                    throw new DeviceLost(device.name(), op, org.jocl.CL.stringFor_errorCode(status[0]), status[0]);
                }
                long elapsed = System.nanoTime() - started;
                if (elapsed > limit) {
                    throw missed(op, elapsed);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(sleep);
                sleep = Math.min(sleep * 2, 5_000_000L);
            }
        } finally {
            clReleaseEvent(ev);
        }
        completed(op, started);
    }

    /**
     * One launch of the dense FMA kernel, read back and compared with the host's answer in full:
     * every chain, bit for bit. The output is poisoned on the device and on the host first, so dropped
     * work is a mismatch at every item. {@code faultItem} >= 0 plants a wrong result in chain 3·16 of
     * that item (bit 13); {@code spin} > 0 makes item 0 run that many iterations (a launch that does
     * not end); {@code drop} skips the launch or the read-back, or fails the launch as a lost device
     * does (the seams for dropped work).
     */
    @Override
    List<Miss> runDense(int faultItem, int spin, Drop drop) throws DeadlineMissed {
        clSetKernelArg(fma, 5, Sizeof.cl_int, Pointer.to(new int[] {faultItem}));
        clSetKernelArg(fma, 6, Sizeof.cl_int, Pointer.to(new int[] {spin}));
        long t0 = System.nanoTime();
        // the device's poison goes ahead of the launch on the in-order queue: no wait of its own
        clEnqueueFillBuffer(queue, out, Pointer.to(new int[] {DEVICE_POISON}), Sizeof.cl_int, 0, gotBytes.capacity(), 0, null, null);
        if (drop == Drop.DEVICE) {
            throw new DeviceLost(device.name(), "the FMA launch", org.jocl.CL.stringFor_errorCode(org.jocl.CL.CL_DEVICE_NOT_AVAILABLE),
                    org.jocl.CL.CL_DEVICE_NOT_AVAILABLE); // the seam: as a lost device reports it
        }
        cl_event ev = null;
        if (drop != Drop.LAUNCH) {
            ev = new cl_event();
            clEnqueueNDRangeKernel(queue, fma, 1, null, new long[] {items}, null, 0, null, ev);
        }
        clFlush(queue);
        long h0 = System.nanoTime();
        IntBuffer host = gotBytes.asIntBuffer(); // the host's poison while the device computes
        while (host.hasRemaining()) {
            host.put(HOST_POISON);
        }
        lastPoisonNanos = System.nanoTime() - h0;
        if (ev != null) {
            await(ev, "the FMA launch", t0);
        }
        long t1 = System.nanoTime();
        lastKernelNanos = t1 - t0;
        if (drop != Drop.READBACK) {
            cl_event rd = new cl_event();
            clEnqueueReadBuffer(queue, out, CL_FALSE, 0, gotBytes.capacity(), Pointer.to(gotBytes), 0, null, rd);
            await(rd, "the FMA read-back", t1);
        }
        // every chain, bit for bit: a vectorised mismatch over the raw words, then each wrong one in full
        List<Miss> wrong = compare(goldenBytes.asIntBuffer(), gotBytes.asIntBuffer());
        lastCheckNanos = System.nanoTime() - t1;
        return wrong;
    }

    /**
     * One memory pass: the device fills its buffer with the pattern, then checks every word against
     * it; then the host reads back {@code hostWords} of it itself (all, or seeded runs of 4,096 words)
     * and compares them with the pattern, so a check kernel that silently does nothing is caught.
     * {@code faultWord} >= 0 flips a bit of that word from the host in between; {@code sabotage} makes
     * the check kernel return at once.
     */
    @Override
    MemoryResult memoryPass(int salt, int mode, long faultWord, int faultBit, boolean sabotage, long hostWords, RandomGenerator r)
            throws DeadlineMissed {
        clSetKernelArg(fill, 1, Sizeof.cl_uint, Pointer.to(new int[] {salt}));
        clSetKernelArg(fill, 2, Sizeof.cl_uint, Pointer.to(new int[] {mode}));
        long t0 = System.nanoTime();
        cl_event ev = new cl_event();
        clEnqueueNDRangeKernel(queue, fill, 1, null, new long[] {words}, null, 0, null, ev);
        await(ev, "the memory fill", t0);
        if (faultWord >= 0) {
            int[] w = new int[1];
            org.jocl.CL.clEnqueueReadBuffer(queue, memory, org.jocl.CL.CL_TRUE, faultWord * 4, 4, Pointer.to(w), 0, null, null);
            w[0] ^= 1 << faultBit;
            clEnqueueWriteBuffer(queue, memory, org.jocl.CL.CL_TRUE, faultWord * 4, 4, Pointer.to(w), 0, null, null);
        }
        clEnqueueWriteBuffer(queue, count, org.jocl.CL.CL_TRUE, 0, Sizeof.cl_uint, Pointer.to(new int[] {0}), 0, null, null);
        clSetKernelArg(check, 1, Sizeof.cl_uint, Pointer.to(new int[] {salt}));
        clSetKernelArg(check, 2, Sizeof.cl_uint, Pointer.to(new int[] {mode}));
        clSetKernelArg(check, 7, Sizeof.cl_uint, Pointer.to(new int[] {sabotage ? 1 : 0}));
        long t1 = System.nanoTime();
        cl_event ck = new cl_event();
        clEnqueueNDRangeKernel(queue, check, 1, null, new long[] {words}, null, 0, null, ck);
        await(ck, "the memory check", t1);
        int[] n = new int[1];
        org.jocl.CL.clEnqueueReadBuffer(queue, count, org.jocl.CL.CL_TRUE, 0, Sizeof.cl_uint, Pointer.to(n), 0, null, null);
        long wrong = Integer.toUnsignedLong(n[0]);
        List<Miss> first = new ArrayList<>();
        if (wrong > 0) {
            int k = (int) Math.min(wrong, KEEP);
            long[] idx = new long[k];
            int[] val = new int[k];
            org.jocl.CL.clEnqueueReadBuffer(queue, where, org.jocl.CL.CL_TRUE, 0, (long) k * Sizeof.cl_ulong, Pointer.to(idx), 0, null, null);
            org.jocl.CL.clEnqueueReadBuffer(queue, what, org.jocl.CL.CL_TRUE, 0, (long) k * Sizeof.cl_uint, Pointer.to(val), 0, null, null);
            for (int i = 0; i < k; i++) {
                first.add(new Miss(idx[i], Reference.pattern(idx[i], salt, mode), val[i]));
            }
            first.sort(java.util.Comparator.comparingLong(Miss::index));
        }
        // the host's own truth: what the device's check should have seen
        return hostCheck(wrong, first, salt, mode, hostWords, r, (from, into) -> org.jocl.CL.clEnqueueReadBuffer(queue, memory,
                org.jocl.CL.CL_TRUE, from * 4, (long) into.length * 4, Pointer.to(into), 0, null, null));
    }

    /**
     * Host → device → host round trips of seeded words at each size, by two paths: {@code plain}
     * (write and read a device buffer from host memory) and {@code mapped} (buffers the driver allocates
     * in host-visible, pinned memory, mapped; copied to and from a device buffer). Every word compared.
     * {@code faultWord} >= 0 flips a bit of that word of the largest plain transfer as it arrives.
     */
    @Override
    List<TransferResult> transfers(long[] sizes, int salt, long faultWord, int faultBit) throws DeadlineMissed {
        long largest = java.util.Arrays.stream(sizes).max().orElse(0);
        transferBuffers(largest);
        List<TransferResult> results = new ArrayList<>();
        for (long bytes : sizes) {
            int n = (int) (bytes / 4);
            IntBuffer s = tSrc.asIntBuffer().limit(n);
            for (int i = 0; i < n; i++) {
                s.put(i, Reference.pattern(i, salt, 4));
            }
            long t0 = System.nanoTime();
            cl_event w = new cl_event();
            clEnqueueWriteBuffer(queue, tDev, CL_FALSE, 0, bytes, Pointer.to(tSrc), 0, null, w);
            await(w, "a " + bytes + "-byte write", t0);
            cl_event rd = new cl_event();
            long t1 = System.nanoTime();
            clEnqueueReadBuffer(queue, tDev, CL_FALSE, 0, bytes, Pointer.to(tDst), 0, null, rd);
            await(rd, "a " + bytes + "-byte read", t1);
            long took = System.nanoTime() - t0;
            IntBuffer d = tDst.asIntBuffer().limit(n);
            if (faultWord >= 0 && bytes == largest) {
                int at = (int) Math.min(faultWord, n - 1);
                d.put(at, d.get(at) ^ (1 << faultBit));
            }
            results.add(new TransferResult("plain", bytes, took, compare(s, d)));
            results.add(mapped(bytes, s));
        }
        return results;
    }

    // The transfer buffers, made once at the largest size and reused every pass (host memory, a
    // device buffer and two pinned ones), not allocated and freed for every round trip.
    private ByteBuffer tSrc;
    private ByteBuffer tDst;
    private cl_mem tDev;
    private cl_mem tIn;
    private cl_mem tBack;

    private void transferBuffers(long bytes) {
        if (tSrc != null && tSrc.capacity() >= bytes) {
            return;
        }
        for (cl_mem m : new cl_mem[] {tDev, tIn, tBack}) {
            if (m != null) {
                buffers.remove(m);
                clReleaseMemObject(m);
            }
        }
        tSrc = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        tDst = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        tDev = buffer(CL_MEM_READ_WRITE, bytes, null);
        tIn = buffer(CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, null);
        tBack = buffer(CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, null);
    }

    private TransferResult mapped(long bytes, IntBuffer expected) throws DeadlineMissed {
        long t = System.nanoTime();
        cl_event me = new cl_event();
        ByteBuffer m = clEnqueueMapBuffer(queue, tIn, CL_FALSE, CL_MAP_WRITE, 0, bytes, 0, null, me, null);
        await(me, "a map for writing", t);
        m.order(ByteOrder.nativeOrder()).asIntBuffer().put(expected.duplicate().rewind());
        cl_event ue = new cl_event();
        clEnqueueUnmapMemObject(queue, tIn, m, 0, null, ue);
        await(ue, "an unmap", System.nanoTime());
        long t0 = System.nanoTime();
        cl_event c1 = new cl_event();
        clEnqueueCopyBuffer(queue, tIn, tDev, 0, 0, bytes, 0, null, c1);
        await(c1, "a " + bytes + "-byte copy to the device", t0);
        cl_event c2 = new cl_event();
        long t1 = System.nanoTime();
        clEnqueueCopyBuffer(queue, tDev, tBack, 0, 0, bytes, 0, null, c2);
        await(c2, "a " + bytes + "-byte copy from the device", t1);
        long took = System.nanoTime() - t0;
        cl_event re = new cl_event();
        long t2 = System.nanoTime();
        ByteBuffer r = clEnqueueMapBuffer(queue, tBack, CL_FALSE, CL_MAP_READ, 0, bytes, 0, null, re, null);
        await(re, "a map for reading", t2);
        List<Miss> wrong = compare(expected, r.order(ByteOrder.nativeOrder()).asIntBuffer());
        cl_event ue2 = new cl_event();
        clEnqueueUnmapMemObject(queue, tBack, r, 0, null, ue2);
        await(ue2, "an unmap", System.nanoTime());
        return new TransferResult("mapped", bytes, took, wrong);
    }

    @Override
    public void close() {
        for (cl_mem m : buffers) {
            clReleaseMemObject(m);
        }
        for (cl_kernel k : new cl_kernel[] {fma, fill, check}) {
            clReleaseKernel(k);
        }
        clReleaseProgram(program);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
