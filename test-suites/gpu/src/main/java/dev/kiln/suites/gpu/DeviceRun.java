package dev.kiln.suites.gpu;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;

import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/** One device's OpenCL objects and the answers its kernels must give. Used from one worker thread. */
final class DeviceRun implements AutoCloseable {
    /** Mismatches the check kernel records in full; all are counted. */
    static final int KEEP = 64;

    final OpenCl.Device device;
    final int items;
    final int iterations;
    final long words;
    private final int[] golden;
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

    /** A wrong answer: which item or word, what it should have been, what it was. */
    record Miss(long index, int expected, int read) {
    }

    /** The outcome of one memory pass: all wrong words counted, the first {@link #KEEP} in full. */
    record MemoryResult(long wrong, List<Miss> first) {
    }

    /** What {@code fma_chain} must give for these inputs, worked out on the host (once, for every device). */
    static int[] golden(float[] a, float[] b, float[] x0, int iterations) {
        int[] golden = new int[a.length];
        java.util.stream.IntStream.range(0, a.length).parallel()
                .forEach(g -> golden[g] = Reference.chain(g, a[g], b[g], x0[g], iterations));
        return golden;
    }

    /** @param golden {@link #golden} of the same inputs and iterations */
    DeviceRun(OpenCl.Device device, String source, float[] a, float[] b, float[] x0, int iterations, int[] golden, long memoryBytes) {
        this.device = device;
        this.items = a.length;
        this.iterations = iterations;
        this.words = memoryBytes / 4;
        this.golden = golden;
        cl_device_id[] ids = {device.id()};
        context = clCreateContext(null, 1, ids, null, null, null);
        queue = clCreateCommandQueue(context, device.id(), 0, null);
        program = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(program, 1, ids, "", null, null);
        } catch (org.jocl.CLException e) {
            throw new IllegalStateException("the kernels do not build on " + device.name() + ": " + e.getMessage() + "\n" + buildLog(device), e);
        }
        fma = clCreateKernel(program, "fma_chain", null);
        fill = clCreateKernel(program, "mem_fill", null);
        check = clCreateKernel(program, "mem_check", null);
        cl_mem ba = input(a);
        cl_mem bb = input(b);
        cl_mem bx = input(x0);
        out = buffer(CL_MEM_WRITE_ONLY, (long) items * Sizeof.cl_uint, null);
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

    /** Floating-point operations one {@link #runChains} does. */
    long flops() {
        return 4L * items * iterations;
    }

    /** Runs the FMA chains ({@code faultItem} >= 0 plants a wrong result there) and returns the items whose result is wrong. */
    List<Miss> runChains(int faultItem) {
        clSetKernelArg(fma, 5, Sizeof.cl_int, Pointer.to(new int[] {faultItem}));
        clEnqueueNDRangeKernel(queue, fma, 1, null, new long[] {items}, null, 0, null, null);
        int[] got = new int[items];
        clEnqueueReadBuffer(queue, out, CL_TRUE, 0, (long) items * Sizeof.cl_uint, Pointer.to(got), 0, null, null);
        List<Miss> wrong = new ArrayList<>();
        for (int g = 0; g < items; g++) {
            if (got[g] != golden[g]) {
                wrong.add(new Miss(g, golden[g], got[g]));
            }
        }
        return wrong;
    }

    /**
     * One memory pass: the device fills its buffer with the pattern, then checks every word against
     * it. {@code faultWord} >= 0 flips a bit of that word from the host in between.
     */
    MemoryResult memoryPass(int salt, int mode, long faultWord, int faultBit) {
        clSetKernelArg(fill, 1, Sizeof.cl_uint, Pointer.to(new int[] {salt}));
        clSetKernelArg(fill, 2, Sizeof.cl_uint, Pointer.to(new int[] {mode}));
        clEnqueueNDRangeKernel(queue, fill, 1, null, new long[] {words}, null, 0, null, null);
        if (faultWord >= 0) {
            int[] w = new int[1];
            clEnqueueReadBuffer(queue, memory, CL_TRUE, faultWord * 4, 4, Pointer.to(w), 0, null, null);
            w[0] ^= 1 << faultBit;
            clEnqueueWriteBuffer(queue, memory, CL_TRUE, faultWord * 4, 4, Pointer.to(w), 0, null, null);
        }
        clEnqueueWriteBuffer(queue, count, CL_TRUE, 0, Sizeof.cl_uint, Pointer.to(new int[] {0}), 0, null, null);
        clSetKernelArg(check, 1, Sizeof.cl_uint, Pointer.to(new int[] {salt}));
        clSetKernelArg(check, 2, Sizeof.cl_uint, Pointer.to(new int[] {mode}));
        clEnqueueNDRangeKernel(queue, check, 1, null, new long[] {words}, null, 0, null, null);
        int[] n = new int[1];
        clEnqueueReadBuffer(queue, count, CL_TRUE, 0, Sizeof.cl_uint, Pointer.to(n), 0, null, null);
        long wrong = Integer.toUnsignedLong(n[0]);
        List<Miss> first = new ArrayList<>();
        if (wrong > 0) {
            int k = (int) Math.min(wrong, KEEP);
            long[] idx = new long[k];
            int[] val = new int[k];
            clEnqueueReadBuffer(queue, where, CL_TRUE, 0, (long) k * Sizeof.cl_ulong, Pointer.to(idx), 0, null, null);
            clEnqueueReadBuffer(queue, what, CL_TRUE, 0, (long) k * Sizeof.cl_uint, Pointer.to(val), 0, null, null);
            for (int i = 0; i < k; i++) {
                first.add(new Miss(idx[i], Reference.pattern(idx[i], salt, mode), val[i]));
            }
            first.sort(java.util.Comparator.comparingLong(Miss::index));
        }
        clFinish(queue);
        return new MemoryResult(wrong, first);
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
