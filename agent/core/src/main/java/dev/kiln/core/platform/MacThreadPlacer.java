package dev.kiln.core.platform;

import dev.kiln.api.WorkPlan.Placement;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * macOS cannot pin a thread to a core on Apple Silicon (thread_policy_set affinity is ignored there).
 * What it offers is the QoS class: {@code QOS_CLASS_USER_INTERACTIVE} prefers performance cores,
 * {@code QOS_CLASS_BACKGROUND} keeps a thread on efficiency cores. We steer with that and say so.
 * Unverified on hardware by this project so far: no Mac runs our CI.
 */
final class MacThreadPlacer implements ThreadPlacer {
    /** From {@code <sys/qos.h>}. */
    private static final int QOS_CLASS_USER_INTERACTIVE = 0x21;
    private static final int QOS_CLASS_BACKGROUND = 0x09;

    private final MethodHandle setQos;

    MacThreadPlacer() {
        Linker linker = Linker.nativeLinker();
        setQos = linker.downcallHandle(
                linker.defaultLookup().find("pthread_set_qos_class_self_np")
                        .orElseThrow(() -> new UnsupportedOperationException("no pthread_set_qos_class_self_np")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    @Override
    public Result place(Placement placement) {
        if (placement.cpu() < 0) {
            return new Result(false, "unpinned");
        }
        boolean efficiency = placement.cluster().toLowerCase(Locale.ROOT).contains("efficiency");
        int qos = efficiency ? QOS_CLASS_BACKGROUND : QOS_CLASS_USER_INTERACTIVE;
        String name = efficiency ? "background" : "user-interactive";
        try {
            int rc = (int) setQos.invokeExact(qos, 0);
            return new Result(false, rc == 0
                    ? "steered to " + placement.cluster() + " cores with QoS " + name + " (macOS cannot pin)"
                    : "not steered: pthread_set_qos_class_self_np returned " + rc);
        } catch (Throwable t) {
            return new Result(false, "not steered: " + t);
        }
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
