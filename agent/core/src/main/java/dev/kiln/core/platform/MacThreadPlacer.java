package dev.kiln.core.platform;

import dev.kiln.api.WorkPlan.Placement;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * macOS cannot pin a thread to a core on Apple Silicon (thread_policy_set affinity is ignored there).
 * What it offers is the QoS class, and the scheduler fills faster cores first with the higher classes.
 * {@code QOS_CLASS_BACKGROUND} would keep a thread on the efficiency cores, but at about half their top
 * clock, which is no burn-in; so Kiln steers by spilling instead:
 * <ul>
 *   <li>workers for the faster clusters (Performance, Super) run {@code USER_INTERACTIVE};</li>
 *   <li>workers for the efficiency cluster run {@code USER_INITIATED}, a class the E-cores run at full
 *       clock; in the all-cores phase there are as many workers as cores, the faster cores are taken
 *       by the higher class, and these spill onto the E-cores;</li>
 *   <li>one core at a time, an efficiency worker gets companions: one {@code USER_INTERACTIVE}
 *       spinner per faster core, holding them, so the lone worker spills onto an E-core.</li>
 * </ul>
 * The CPU suite records each worker's cluster clock from the run's own telemetry (powermetrics, as
 * root), which says where the worker ran and at what clock. Unverified on hardware by this project so
 * far: no Mac runs our CI (docs/on-hardware-checklist.md).
 */
final class MacThreadPlacer implements ThreadPlacer {
    /** From {@code <sys/qos.h>}. */
    static final int QOS_CLASS_USER_INTERACTIVE = 0x21;
    static final int QOS_CLASS_USER_INITIATED = 0x19;

    private final MethodHandle setQos;
    private final int fasterCores;

    /** @param fasterCores logical CPUs outside the efficiency cluster: the companions an efficiency worker needs */
    MacThreadPlacer(int fasterCores) {
        this.fasterCores = fasterCores;
        Linker linker = Linker.nativeLinker();
        setQos = linker.downcallHandle(
                linker.defaultLookup().find("pthread_set_qos_class_self_np")
                        .orElseThrow(() -> new UnsupportedOperationException("no pthread_set_qos_class_self_np")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    static boolean efficiency(Placement placement) {
        return placement.cluster().toLowerCase(Locale.ROOT).contains("efficiency");
    }

    /** The QoS class for a worker of this placement: never background, which runs E-cores at half clock. */
    static int qosFor(Placement placement) {
        return efficiency(placement) ? QOS_CLASS_USER_INITIATED : QOS_CLASS_USER_INTERACTIVE;
    }

    static String qosName(int qos) {
        return qos == QOS_CLASS_USER_INTERACTIVE ? "user-interactive" : qos == QOS_CLASS_USER_INITIATED ? "user-initiated" : "0x" + Integer.toHexString(qos);
    }

    /** How many companions a lone worker of this placement needs: every faster core for an efficiency worker, else none. */
    static int companionsFor(Placement placement, int fasterCores) {
        return placement.cpu() >= 0 && efficiency(placement) ? Math.max(0, fasterCores) : 0;
    }

    private int setQos(int qos) {
        try {
            return (int) setQos.invokeExact(qos, 0);
        } catch (Throwable t) {
            return -1;
        }
    }

    @Override
    public Result place(Placement placement) {
        if (placement.cpu() < 0) {
            return new Result(false, "unpinned");
        }
        int qos = qosFor(placement);
        int rc = setQos(qos);
        String how = efficiency(placement) ? " (spilled past the faster cores, which hold higher-class threads; macOS cannot pin)"
                : " (macOS cannot pin)";
        return new Result(false, rc == 0 ? "steered to " + placement.cluster() + " cores with QoS " + qosName(qos) + how
                : "not steered: pthread_set_qos_class_self_np returned " + rc);
    }

    @Override
    public Companions companions(Placement placement) {
        int n = companionsFor(placement, fasterCores);
        if (n == 0) {
            return Companions.NONE;
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                setQos(QOS_CLASS_USER_INTERACTIVE);
                long x = 0x9E3779B97F4A7C15L;
                while (!stop.get()) {
                    for (int k = 0; k < 100_000; k++) {
                        x = x * 6364136223846793005L + 1442695040888963407L; // keeps the core busy, not idle-spinning
                    }
                }
                if (x == 42) {
                    System.out.print(""); // keeps x alive
                }
            }, "kiln-spill-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return () -> {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        };
    }

    @Override
    public int currentCpu() {
        return -1; // macOS does not tell a thread which core it is on
    }

    @Override
    public String method() {
        return "qos-class";
    }
}
