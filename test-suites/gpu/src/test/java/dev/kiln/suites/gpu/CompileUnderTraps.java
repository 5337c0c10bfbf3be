package dev.kiln.suites.gpu;

/**
 * Builds the GPU suite's kernels over and over on the first OpenCL device while another thread
 * takes the JVM's own SIGSEGV traps (a JIT-compiled null check throws through a trap). Run as its
 * own process by {@link SignalChainingTest}: prints "survived N builds" and exits 0, or fails.
 */
public final class CompileUnderTraps {
    private static volatile Object nothing;

    private CompileUnderTraps() {
    }

    private static int hash(Object o) {
        return o.hashCode();
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        OpenCl.Device d = OpenCl.devices().get(0);
        Thread traps = new Thread(() -> {
            while (true) {
                try {
                    hash(nothing);
                } catch (NullPointerException e) {
                    // the trap the JVM takes and turns into this exception
                }
            }
        });
        traps.setDaemon(true);
        traps.start();
        String source = OpenClBackend.kernelSource();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int builds = 0;
        float[] one = new float[16];
        while (System.nanoTime() < end) {
            // a fresh program each time (a comment makes the source unique: no cached binary)
            try (DeviceRun r = new DeviceRun(d, source + "\n// build " + builds + " " + System.nanoTime() + "\n", one, one,
                    new float[DeviceRun.CHAINS], 1, new float[DeviceRun.CHAINS], 4096)) {
                builds++;
            }
        }
        System.out.println("survived " + builds + " builds");
    }
}
