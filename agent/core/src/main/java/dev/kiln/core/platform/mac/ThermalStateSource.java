package dev.kiln.core.platform.mac;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * macOS's thermal state without root: {@code [[NSProcessInfo processInfo] thermalState]} through the
 * Objective-C runtime (JNA, as OSHI brings it), as {@code thermal_pressure_level} on the scale the
 * judge uses for powermetrics' pressure: Apple Silicon has no {@code machdep.xcpm} sysctl, and
 * powermetrics needs root. Used only where powermetrics does not run (it gives the level itself).
 *
 * <p>macOS only, never yet run on a Mac (docs/on-hardware-checklist.md row 18).
 */
public final class ThermalStateSource implements TelemetrySource {
    static final String CHANNEL = "thermal_pressure_level";

    private final Function msgSend;
    private final Pointer processInfo;
    private final Pointer thermalState;

    private ThermalStateSource(Function msgSend, Pointer processInfo, Pointer thermalState) {
        this.msgSend = msgSend;
        this.processInfo = processInfo;
        this.thermalState = thermalState;
    }

    /** @throws IOException when the Objective-C runtime or Foundation cannot be reached (not a Mac) */
    public static ThermalStateSource open() throws IOException {
        try {
            NativeLibrary.getInstance("/System/Library/Frameworks/Foundation.framework/Foundation"); // defines NSProcessInfo
            NativeLibrary objc = NativeLibrary.getInstance("objc");
            Pointer cls = objc.getFunction("objc_getClass").invokePointer(new Object[] {"NSProcessInfo"});
            Pointer sel = objc.getFunction("sel_registerName").invokePointer(new Object[] {"processInfo"});
            Pointer state = objc.getFunction("sel_registerName").invokePointer(new Object[] {"thermalState"});
            Function send = objc.getFunction("objc_msgSend");
            Pointer info = cls == null ? null : send.invokePointer(new Object[] {cls, sel});
            if (info == null) {
                throw new IOException("NSProcessInfo is not available");
            }
            return new ThermalStateSource(send, info, state);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("the Objective-C runtime cannot be reached: " + e);
        }
    }

    /**
     * {@code NSProcessInfoThermalState} (0 nominal, 1 fair, 2 serious, 3 critical) on the judge's
     * pressure scale (0 Nominal, 1 Moderate, 2 Heavy, 3 Trapping, 4 Sleeping): the same rank, so
     * "fair" is Moderate, the judge's default allowance; null for a value macOS does not define.
     */
    static Double level(long thermalState) {
        return thermalState >= 0 && thermalState <= 3 ? (double) thermalState : null;
    }

    @Override
    public String name() {
        return "thermal-state";
    }

    @Override
    public List<String> channels() {
        return List.of(CHANNEL);
    }

    @Override
    public Map<String, Double> sample() {
        try {
            Double v = level(msgSend.invokeLong(new Object[] {processInfo, thermalState}));
            return v == null ? Map.of() : Map.of(CHANNEL, v);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
