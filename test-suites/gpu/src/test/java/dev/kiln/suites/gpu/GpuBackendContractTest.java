package dev.kiln.suites.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every GPU backend must do, run against each one that has a device here: OpenCL on PoCL in CI,
 * Metal on the first Mac (docs/on-hardware-checklist.md; here it is skipped, saying why). Clean work
 * passes; a planted wrong chain, a dropped launch, a dropped read-back and a lost device are each
 * caught where they are planted; the device's memory check and the host's own read-back each find a
 * flipped word; a flipped transfer word is found at its index.
 */
class GpuBackendContractTest {
    private static final int ITEMS = 64;
    private static final int ITERATIONS = 64;
    private static final long MEMORY = 1 << 20;

    private static GpuRun open(String api) throws Exception {
        GpuBackend backend = GpuBackend.of(api, System.getProperty("os.name"));
        List<? extends GpuDevice> devices;
        try {
            devices = backend.devices();
        } catch (GpuBackend.Unavailable e) {
            assumeTrue(false, api + " is not here: " + e.getMessage());
            return null;
        }
        assumeTrue(!devices.isEmpty(), "no " + api + " device here");
        GpuRun.Inputs in = GpuRun.Inputs.seeded(ITEMS, new SplittableRandom(9));
        float[] golden = GpuRun.golden(in.a(), in.b(), in.x0(), ITERATIONS, 2);
        GpuRun run = backend.open(devices.get(0), in.a(), in.b(), in.x0(), ITERATIONS, golden, MEMORY);
        assertEquals(api, backend.api());
        return run;
    }

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "metal"})
    void denseWorkIsCheckedBitForBitAndDroppedWorkIsCaught(String api) throws Exception {
        try (GpuRun run = open(api)) {
            assertEquals(List.of(), run.runDense(-1, 0, GpuRun.Drop.NONE), "a healthy launch");
            List<GpuRun.Miss> planted = run.runDense(ITEMS / 3, 0, GpuRun.Drop.NONE);
            assertEquals(1, planted.size(), planted.toString());
            assertEquals((long) (ITEMS / 3) * GpuRun.CHAINS + 3 * 16, planted.get(0).index(), "chain 3·16 of the planted item");
            assertEquals(1 << 13, planted.get(0).expected() ^ planted.get(0).read(), "bit 13");
            List<GpuRun.Miss> launch = run.runDense(-1, 0, GpuRun.Drop.LAUNCH);
            assertEquals((long) ITEMS * GpuRun.CHAINS, launch.size(), "every chain of a launch that never ran");
            assertTrue(launch.stream().limit(GpuRun.KEEP).allMatch(m -> m.read() == GpuRun.DEVICE_POISON), "the device's poison is what was read");
            List<GpuRun.Miss> readBack = run.runDense(-1, 0, GpuRun.Drop.READBACK);
            assertEquals((long) ITEMS * GpuRun.CHAINS, readBack.size());
            assertTrue(readBack.stream().limit(GpuRun.KEEP).allMatch(m -> m.read() == GpuRun.HOST_POISON), "the host's poison is what was read");
            GpuRun.DeviceLost lost = assertThrows(GpuRun.DeviceLost.class, () -> run.runDense(-1, 0, GpuRun.Drop.DEVICE));
            assertTrue(lost.getMessage().startsWith(run.device().name() + ": the FMA launch failed on the device"), lost.getMessage());
            assertEquals(List.of(), run.runDense(-1, 0, GpuRun.Drop.NONE), "the next launch is clean again: nothing left over");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "metal"})
    void memoryIsCheckedByTheDeviceAndReadBackByTheHost(String api) throws Exception {
        try (GpuRun run = open(api)) {
            SplittableRandom r = new SplittableRandom(1);
            for (int mode = 0; mode < Reference.MODES.length; mode++) {
                GpuRun.MemoryResult clean = run.memoryPass(77 + mode, mode, -1, 0, false, Long.MAX_VALUE, r);
                assertEquals(0, clean.wrong(), Reference.MODES[mode]);
                assertEquals(List.of(), clean.hostOnly(), Reference.MODES[mode]);
                assertEquals(MEMORY / 4, clean.hostChecked(), "all of it read back by the host");
            }
            long word = 12_345;
            GpuRun.MemoryResult flipped = run.memoryPass(5, 4, word, 13, false, Long.MAX_VALUE, r);
            assertEquals(1, flipped.wrong());
            assertEquals(word, flipped.first().get(0).index(), "the device's check names the word");
            assertEquals(List.of(), flipped.hostOnly(), "what the device reported is not reported twice");
            GpuRun.MemoryResult blind = run.memoryPass(5, 4, word, 13, true, Long.MAX_VALUE, r);
            assertEquals(0, blind.wrong(), "a check kernel that does nothing reports nothing");
            assertEquals(1, blind.hostOnly().size(), "the host's read-back finds what it missed");
            assertEquals(word, blind.hostOnly().get(0).index());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "metal"})
    void transfersAreComparedWordForWord(String api) throws Exception {
        try (GpuRun run = open(api)) {
            long[] sizes = {4096, 1 << 20};
            for (GpuRun.TransferResult t : run.transfers(sizes, 3, -1, 0)) {
                assertEquals(List.of(), t.wrong(), t.path() + " " + t.bytes());
                assertTrue(t.nanos() > 0);
            }
            List<GpuRun.TransferResult> faulty = run.transfers(sizes, 4, 1000, 13);
            long hit = faulty.stream().filter(t -> !t.wrong().isEmpty()).count();
            assertTrue(hit >= 1, "the flipped word of the largest transfer: " + faulty);
            for (GpuRun.TransferResult t : faulty) {
                if (!t.wrong().isEmpty()) {
                    assertEquals(1 << 20, t.bytes());
                    assertEquals(1000, t.wrong().get(0).index());
                }
            }
        }
    }
}
