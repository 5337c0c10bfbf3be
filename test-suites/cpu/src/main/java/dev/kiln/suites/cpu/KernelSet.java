package dev.kiln.suites.cpu;

import java.util.List;

/** The kernel set, for the benchmark (one instance each, vector FMA where present). */
final class KernelSet {
    private KernelSet() {
    }

    static List<Kernel> kernels() {
        return List.of(new LucasLehmerKernel(), new FmaMatrixKernel(FmaMatrixKernel.vectorApiPresent()), new Sha256Kernel(),
                new AesGcmKernel(), new Crc32cKernel(), new DeflateKernel(), new SortKernel());
    }
}
