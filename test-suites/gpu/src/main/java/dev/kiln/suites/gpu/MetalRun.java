package dev.kiln.suites.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * One Metal device's run of the three workloads, through {@link ObjC}: kernels in Metal Shading
 * Language ({@code kernels.metal}) compiled at run time with fast math off; the FMA inputs, output
 * and the memory under test in shared storage, which on unified memory the host reads and checks in
 * place; transfers through private storage (shared → private → shared, blit copies), checked word for
 * word. Every command buffer is committed and its status polled against the same deadlines as
 * OpenCL's commands; an error status is a lost device (FAIL), a missed deadline HUNG. Each call runs
 * inside its own autorelease pool on the worker's thread. Never run on a Mac by this project yet: the
 * GPU contract (GpuBackendContractTest) runs here on OpenCL only (docs/on-hardware-checklist.md).
 */
final class MetalRun extends GpuRun {
    /** MTLResourceStorageModeShared and MTLResourceStorageModePrivate (storage mode << 4). */
    static final long SHARED = 0;
    static final long PRIVATE = 2L << 4;
    /** MTLCommandBufferStatus. */
    static final long COMPLETED = 4;
    static final long ERROR = 5;

    private final MetalBackend.Device device;
    private final ObjC o = ObjC.get();
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> owned = new ArrayList<>();
    private final MemorySegment queue;
    private MemorySegment library = MemorySegment.NULL;
    private MemorySegment fmaPipe;
    private MemorySegment poisonPipe;
    private MemorySegment fillPipe;
    private MemorySegment checkPipe;
    private final MemorySegment bufA;
    private final MemorySegment bufB;
    private final MemorySegment bufX;
    private final MemorySegment out;
    private final MemorySegment memory;
    private final MemorySegment count;
    private final MemorySegment where;
    private final MemorySegment what;
    private final ByteBuffer goldenBytes;
    private final ByteBuffer gotBytes;
    private MemorySegment tSrc;
    private MemorySegment tDev;
    private MemorySegment tDst;
    private long tBytes;

    MetalRun(MetalBackend.Device device, String source, float[] a, float[] b, float[] x0, int iterations, float[] golden, long memoryBytes) {
        super(a.length / 16, iterations, memoryBytes / 4);
        this.device = device;
        MemorySegment pool = o.push();
        try {
            queue = own(o.obj(device.handle(), "newCommandQueue"), "a command queue");
            compile(source);
            bufA = input(a);
            bufB = input(b);
            bufX = input(x0);
            out = buffer((long) x0.length * 4, SHARED);
            memory = buffer(Math.max(4, words * 4), SHARED);
            count = buffer(4, SHARED);
            where = buffer((long) KEEP * 8, SHARED);
            what = buffer((long) KEEP * 4, SHARED);
        } catch (RuntimeException e) {
            close();
            throw e;
        } finally {
            o.pop(pool);
        }
        gotBytes = ByteBuffer.allocateDirect(x0.length * 4).order(ByteOrder.nativeOrder());
        goldenBytes = ByteBuffer.allocateDirect(x0.length * 4).order(ByteOrder.nativeOrder());
        goldenBytes.asFloatBuffer().put(golden);
    }

    @Override
    GpuDevice device() {
        return device;
    }

    private MemorySegment own(MemorySegment object, String what) {
        if (object.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(device.name() + ": Metal gave no " + what);
        }
        owned.add(object);
        return object;
    }

    private void compile(String source) {
        MemorySegment options = o.obj(o.obj(o.cls("MTLCompileOptions"), "alloc"), "init");
        // fma() must round once and nothing may be reassociated: the host checks every bit
        o.send(options, "setFastMathEnabled:", null, List.of(ValueLayout.JAVA_BOOLEAN), false);
        MemorySegment text = o.string(source, arena);
        MemorySegment err = arena.allocate(ValueLayout.ADDRESS);
        err.set(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
        library = (MemorySegment) o.send(device.handle(), "newLibraryWithSource:options:error:", ObjC.ID, List.of(ObjC.ID, ObjC.ID, ObjC.ID),
                text, options, err);
        o.release(text);
        o.release(options);
        if (library.equals(MemorySegment.NULL)) { // success is the return value; a library may come back with warnings in the error
            throw new IllegalStateException("the Metal kernels do not compile on " + device.name() + ": " + o.error(err.get(ValueLayout.ADDRESS, 0)));
        }
        fmaPipe = pipeline("fma_dense");
        poisonPipe = pipeline("poison");
        fillPipe = pipeline("mem_fill");
        checkPipe = pipeline("mem_check");
    }

    private MemorySegment pipeline(String function) {
        MemorySegment name = o.string(function, arena);
        MemorySegment f = (MemorySegment) o.send(library, "newFunctionWithName:", ObjC.ID, List.of(ObjC.ID), name);
        o.release(name);
        if (f.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("the Metal library has no function " + function);
        }
        MemorySegment err = arena.allocate(ValueLayout.ADDRESS);
        err.set(ValueLayout.ADDRESS, 0, MemorySegment.NULL);
        MemorySegment p = (MemorySegment) o.send(device.handle(), "newComputePipelineStateWithFunction:error:", ObjC.ID,
                List.of(ObjC.ID, ObjC.ID), f, err);
        o.release(f);
        if (p.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(device.name() + ": no compute pipeline for " + function + ": " + o.error(err.get(ValueLayout.ADDRESS, 0)));
        }
        owned.add(p);
        return p;
    }

    private MemorySegment buffer(long bytes, long options) {
        return own((MemorySegment) o.send(device.handle(), "newBufferWithLength:options:", ObjC.ID, List.of(ObjC.NSUINT, ObjC.NSUINT), bytes,
                options), String.format(Locale.ROOT, "%d-byte buffer", bytes));
    }

    private MemorySegment input(float[] v) {
        MemorySegment b = buffer((long) v.length * 4, SHARED);
        MemorySegment.copy(v, 0, contents(b, (long) v.length * 4), ValueLayout.JAVA_FLOAT, 0, v.length);
        return b;
    }

    /** A shared buffer's memory, as the host sees it (unified memory: the same bytes the GPU uses). */
    private MemorySegment contents(MemorySegment buffer, long bytes) {
        return o.obj(buffer, "contents").reinterpret(bytes);
    }

    /** One dispatch of {@code threads} threads: each argument a buffer (MemorySegment) or a 32-bit constant (Integer), in index order. */
    private void dispatch(MemorySegment encoder, MemorySegment pipeline, long threads, Object... args) {
        o.send(encoder, "setComputePipelineState:", null, List.of(ObjC.ID), pipeline);
        try (Arena call = Arena.ofConfined()) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof MemorySegment buf) {
                    o.send(encoder, "setBuffer:offset:atIndex:", null, List.of(ObjC.ID, ObjC.NSUINT, ObjC.NSUINT), buf, 0L, (long) i);
                } else {
                    MemorySegment v = call.allocate(ValueLayout.JAVA_INT);
                    v.set(ValueLayout.JAVA_INT, 0, (Integer) args[i]);
                    o.send(encoder, "setBytes:length:atIndex:", null, List.of(ObjC.ID, ObjC.NSUINT, ObjC.NSUINT), v, 4L, (long) i);
                }
            }
            long per = Math.max(1, Math.min(256, o.num(pipeline, "maxTotalThreadsPerThreadgroup")));
            MemorySegment grid = call.allocate(ObjC.MTL_SIZE);
            grid.set(ValueLayout.JAVA_LONG, 0, threads);
            grid.set(ValueLayout.JAVA_LONG, 8, 1L);
            grid.set(ValueLayout.JAVA_LONG, 16, 1L);
            MemorySegment group = call.allocate(ObjC.MTL_SIZE);
            group.set(ValueLayout.JAVA_LONG, 0, per);
            group.set(ValueLayout.JAVA_LONG, 8, 1L);
            group.set(ValueLayout.JAVA_LONG, 16, 1L);
            o.send(encoder, "dispatchThreads:threadsPerThreadgroup:", null, List.of(ObjC.MTL_SIZE, ObjC.MTL_SIZE), grid, group);
        }
    }

    /** Waits for a committed command buffer against its deadline: completed, an error (a lost device), or HUNG. */
    private void await(MemorySegment commands, String op, long started) throws DeadlineMissed {
        long limit = deadline(op);
        long sleep = 20_000L;
        while (true) {
            long status = o.num(commands, "status");
            if (status == COMPLETED) {
                break;
            }
            if (status == ERROR) {
                MemorySegment e = o.obj(commands, "error");
                throw new DeviceLost(device.name(), op, o.error(e), e.equals(MemorySegment.NULL) ? -1 : (int) o.num(e, "code"));
            }
            long elapsed = System.nanoTime() - started;
            if (elapsed > limit) {
                throw missed(op, elapsed);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(sleep);
            sleep = Math.min(sleep * 2, 5_000_000L);
        }
        completed(op, started);
    }

    @Override
    List<Miss> runDense(int faultItem, int spin, Drop drop) throws DeadlineMissed {
        MemorySegment pool = o.push();
        try {
            long t0 = System.nanoTime();
            if (drop == Drop.DEVICE) { // the seam: as a lost device reports it (MTLCommandBufferErrorDeviceRemoved)
                throw new DeviceLost(device.name(), "the FMA launch", "MTLCommandBufferErrorDeviceRemoved", 11);
            }
            MemorySegment commands = o.obj(queue, "commandBuffer");
            MemorySegment encoder = o.obj(commands, "computeCommandEncoder");
            // the device's poison ahead of the launch, in the same serial encoder: no wait of its own
            dispatch(encoder, poisonPipe, gotBytes.capacity() / 4, out, DEVICE_POISON);
            if (drop != Drop.LAUNCH) {
                dispatch(encoder, fmaPipe, items, bufA, bufB, bufX, out, iterations, faultItem, spin);
            }
            o.call(encoder, "endEncoding");
            o.call(commands, "commit");
            long h0 = System.nanoTime();
            IntBuffer host = gotBytes.asIntBuffer(); // the host's poison while the device computes
            while (host.hasRemaining()) {
                host.put(HOST_POISON);
            }
            lastPoisonNanos = System.nanoTime() - h0;
            await(commands, "the FMA launch", t0);
            long t1 = System.nanoTime();
            lastKernelNanos = t1 - t0;
            if (drop != Drop.READBACK) { // on unified memory the "read-back" is a copy out of the shared buffer
                MemorySegment.copy(contents(out, gotBytes.capacity()), 0, MemorySegment.ofBuffer(gotBytes), 0, gotBytes.capacity());
            }
            List<Miss> wrong = compare(goldenBytes.asIntBuffer(), gotBytes.asIntBuffer());
            lastCheckNanos = System.nanoTime() - t1;
            return wrong;
        } finally {
            o.pop(pool);
        }
    }

    @Override
    MemoryResult memoryPass(int salt, int mode, long faultWord, int faultBit, boolean sabotage, long hostWords, RandomGenerator r)
            throws DeadlineMissed {
        MemorySegment pool = o.push();
        try {
            MemorySegment mem = contents(memory, words * 4);
            long t0 = System.nanoTime();
            MemorySegment fill = o.obj(queue, "commandBuffer");
            MemorySegment e1 = o.obj(fill, "computeCommandEncoder");
            dispatch(e1, fillPipe, words, memory, salt, mode);
            o.call(e1, "endEncoding");
            o.call(fill, "commit");
            await(fill, "the memory fill", t0);
            if (faultWord >= 0) {
                mem.set(ValueLayout.JAVA_INT, faultWord * 4, mem.get(ValueLayout.JAVA_INT, faultWord * 4) ^ (1 << faultBit));
            }
            MemorySegment n = contents(count, 4);
            n.set(ValueLayout.JAVA_INT, 0, 0);
            long t1 = System.nanoTime();
            MemorySegment check = o.obj(queue, "commandBuffer");
            MemorySegment e2 = o.obj(check, "computeCommandEncoder");
            dispatch(e2, checkPipe, words, memory, salt, mode, count, where, what, KEEP, sabotage ? 1 : 0);
            o.call(e2, "endEncoding");
            o.call(check, "commit");
            await(check, "the memory check", t1);
            long wrong = Integer.toUnsignedLong(n.get(ValueLayout.JAVA_INT, 0));
            List<Miss> first = new ArrayList<>();
            if (wrong > 0) {
                MemorySegment idx = contents(where, (long) KEEP * 8);
                MemorySegment val = contents(what, (long) KEEP * 4);
                for (int i = 0; i < (int) Math.min(wrong, KEEP); i++) {
                    long at = idx.get(ValueLayout.JAVA_LONG, i * 8L);
                    first.add(new Miss(at, Reference.pattern(at, salt, mode), val.get(ValueLayout.JAVA_INT, i * 4L)));
                }
                first.sort(java.util.Comparator.comparingLong(Miss::index));
            }
            // the host's own truth, read in place from the shared buffer
            return hostCheck(wrong, first, salt, mode, hostWords, r,
                    (from, into) -> MemorySegment.copy(mem, ValueLayout.JAVA_INT, from * 4, into, 0, into.length));
        } finally {
            o.pop(pool);
        }
    }

    /**
     * Round trips through private storage: seeded words written by the host into a shared buffer,
     * blitted to a private one (GPU-only memory) and back to another shared buffer, every word compared
     * with what was written. Path {@code private}.
     */
    @Override
    List<TransferResult> transfers(long[] sizes, int salt, long faultWord, int faultBit) throws DeadlineMissed {
        long largest = java.util.Arrays.stream(sizes).max().orElse(0);
        MemorySegment pool = o.push();
        try {
            if (tBytes < largest) {
                for (MemorySegment m : new MemorySegment[] {tSrc, tDev, tDst}) {
                    if (m != null) {
                        owned.remove(m);
                        o.release(m);
                    }
                }
                tSrc = buffer(largest, SHARED);
                tDev = buffer(largest, PRIVATE);
                tDst = buffer(largest, SHARED);
                tBytes = largest;
            }
            List<TransferResult> results = new ArrayList<>();
            for (long bytes : sizes) {
                int n = (int) (bytes / 4);
                IntBuffer expected = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()).asIntBuffer();
                for (int i = 0; i < n; i++) {
                    expected.put(i, Reference.pattern(i, salt, 4));
                }
                MemorySegment.copy(MemorySegment.ofBuffer(expected), 0, contents(tSrc, bytes), 0, bytes);
                long t0 = System.nanoTime();
                MemorySegment commands = o.obj(queue, "commandBuffer");
                MemorySegment blit = o.obj(commands, "blitCommandEncoder");
                List<java.lang.foreign.MemoryLayout> copy = List.of(ObjC.ID, ObjC.NSUINT, ObjC.ID, ObjC.NSUINT, ObjC.NSUINT);
                o.send(blit, "copyFromBuffer:sourceOffset:toBuffer:destinationOffset:size:", null, copy, tSrc, 0L, tDev, 0L, bytes);
                o.send(blit, "copyFromBuffer:sourceOffset:toBuffer:destinationOffset:size:", null, copy, tDev, 0L, tDst, 0L, bytes);
                o.call(blit, "endEncoding");
                o.call(commands, "commit");
                await(commands, "a " + bytes + "-byte round trip through private memory", t0);
                long took = System.nanoTime() - t0;
                IntBuffer got = contents(tDst, bytes).asByteBuffer().order(ByteOrder.nativeOrder()).asIntBuffer();
                if (faultWord >= 0 && bytes == largest) {
                    int at = (int) Math.min(faultWord, n - 1);
                    got.put(at, got.get(at) ^ (1 << faultBit));
                }
                results.add(new TransferResult("private", bytes, took, compare(expected, got)));
            }
            return results;
        } finally {
            o.pop(pool);
        }
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            o.release(owned.get(i));
        }
        owned.clear();
        if (!library.equals(MemorySegment.NULL)) {
            o.release(library);
            library = MemorySegment.NULL;
        }
        arena.close();
    }
}
