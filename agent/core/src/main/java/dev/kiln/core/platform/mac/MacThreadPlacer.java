package dev.kiln.core.platform.mac;

import dev.kiln.api.CoreTiers;
import dev.kiln.api.WorkPlan.Placement;
import dev.kiln.core.platform.ThreadPlacer;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * macOS cannot pin a thread to a core on Apple Silicon (thread_policy_set affinity is ignored there).
 * What it offers is the QoS class, and the scheduler fills faster cores first with the higher classes.
 * {@code QOS_CLASS_BACKGROUND} would keep a thread on the efficiency cores, but at about half their top
 * clock, which is no burn-in; so Kiln steers by spilling instead:
 * <ul>
 *   <li>workers for the fastest tier (Super on the M5 generation, else Performance) run
 *       {@code USER_INTERACTIVE};</li>
 *   <li>workers for every slower tier (Performance beside Super, Efficiency) run
 *       {@code USER_INITIATED}, a class the E-cores run at full clock; in the all-cores phase there are
 *       as many workers as cores, the fastest cores are taken by the higher class, and these spill
 *       onto the slower cores;</li>
 *   <li>one core at a time, a slower tier's worker gets companions: one {@code USER_INTERACTIVE}
 *       spinner per core of every faster tier, holding them, so the lone worker spills onto a core of
 *       its own tier (an M5 Max's Performance worker past its six Super cores; an M4's Efficiency
 *       worker past its P-cores; on a chip of three tiers, an Efficiency worker past both).</li>
 * </ul>
 * The CPU suite records each worker's cluster clock from the run's own telemetry (powermetrics, as
 * root), which says where the worker ran and at what clock. Unverified on hardware by this project so
 * far: no Mac runs our CI (docs/on-hardware-checklist.md).
 */
public final class MacThreadPlacer implements ThreadPlacer {
    /** From {@code <sys/qos.h>}. */
    public static final int QOS_CLASS_USER_INTERACTIVE = 0x21;
    public static final int QOS_CLASS_USER_INITIATED = 0x19;

    private final MethodHandle setQos;
    private final Map<String, Integer> coresByTier;

    /** @param coresByTier logical CPUs per tier, fastest first ({@link #coresByTier(List)}) */
    MacThreadPlacer(Map<String, Integer> coresByTier) {
        this.coresByTier = coresByTier;
        Linker linker = Linker.nativeLinker();
        setQos = linker.downcallHandle(
                linker.defaultLookup().find("pthread_set_qos_class_self_np")
                        .orElseThrow(() -> new UnsupportedOperationException("no pthread_set_qos_class_self_np")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    /** Logical CPUs per tier, fastest first ({@link CoreTiers#fastestFirst}). */
    public static Map<String, Integer> coresByTier(List<dev.kiln.api.SuiteEnvironment.LogicalCpu> cpus) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String tier : CoreTiers.fastestFirst(cpus.stream().map(dev.kiln.api.SuiteEnvironment.LogicalCpu::cluster).toList())) {
            out.put(tier, (int) cpus.stream().filter(c -> c.cluster().toLowerCase(Locale.ROOT).equals(tier)).count());
        }
        return out;
    }

    /** Whether a worker of this placement belongs to a tier slower than the machine's fastest. */
    static boolean slower(Placement placement, Map<String, Integer> coresByTier) {
        String tier = placement.cluster().toLowerCase(Locale.ROOT);
        List<String> order = List.copyOf(coresByTier.keySet());
        int rank = order.indexOf(tier);
        return rank > 0 || (rank < 0 && tier.contains("efficiency"));
    }

    /** The QoS class for a worker of this placement: never background, which runs E-cores at half clock. */
    public static int qosFor(Placement placement, Map<String, Integer> coresByTier) {
        return slower(placement, coresByTier) ? QOS_CLASS_USER_INITIATED : QOS_CLASS_USER_INTERACTIVE;
    }

    static String qosName(int qos) {
        return qos == QOS_CLASS_USER_INTERACTIVE ? "user-interactive" : qos == QOS_CLASS_USER_INITIATED ? "user-initiated" : "0x" + Integer.toHexString(qos);
    }

    /** How many companions a lone worker of this placement needs: one per core of every faster tier (none for the fastest). */
    public static int companionsFor(Placement placement, Map<String, Integer> coresByTier) {
        if (placement.cpu() < 0 || !slower(placement, coresByTier)) {
            return 0;
        }
        String tier = placement.cluster().toLowerCase(Locale.ROOT);
        int n = 0;
        for (Map.Entry<String, Integer> e : coresByTier.entrySet()) {
            if (e.getKey().equals(tier)) {
                break;
            }
            n += e.getValue();
        }
        return n;
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
        int qos = qosFor(placement, coresByTier);
        int rc = setQos(qos);
        String how = slower(placement, coresByTier) ? " (spilled past the faster cores, which hold higher-class threads; macOS cannot pin)"
                : " (macOS cannot pin)";
        return new Result(false, rc == 0 ? "steered to " + placement.cluster() + " cores with QoS " + qosName(qos) + how
                : "not steered: pthread_set_qos_class_self_np returned " + rc);
    }

    @Override
    public Companions companions(Placement placement) {
        int n = companionsFor(placement, coresByTier);
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
