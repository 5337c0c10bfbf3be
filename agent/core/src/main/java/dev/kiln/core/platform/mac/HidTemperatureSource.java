package dev.kiln.core.platform.mac;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.platform.mac.CoreFoundation.CFArrayRef;
import com.sun.jna.platform.mac.CoreFoundation.CFIndex;
import com.sun.jna.platform.mac.CoreFoundation.CFMutableDictionaryRef;
import com.sun.jna.platform.mac.CoreFoundation.CFNumberRef;
import com.sun.jna.platform.mac.CoreFoundation.CFStringRef;
import com.sun.jna.platform.mac.CoreFoundation.CFTypeRef;
import com.sun.jna.platform.mac.CoreFoundation;
import com.sun.jna.ptr.IntByReference;
import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SoC's temperature sensors through the IOHID event system, without root, as the public
 * monitors read them (Stats, freedomtan/sensors, macmon): a client matching Apple's vendor page
 * {@code 0xff00}, usage 5 (temperature); each service's {@code Product} names it
 * ({@link HidSensors}: tested on a captured listing) and a temperature event (type 15) read with
 * {@code IOHIDEventGetFloatValue(event, 15 << 16)} is its reading in °C.
 *
 * <p>macOS only, never yet run on a Mac (docs/on-hardware-checklist.md row 20). Signatures as the
 * public monitors declare them.
 */
public final class HidTemperatureSource implements TelemetrySource {
    /** IOKit's private HID event system calls. */
    interface Lib extends Library {
        Pointer IOHIDEventSystemClientCreate(Pointer allocator);

        int IOHIDEventSystemClientSetMatching(Pointer client, CFMutableDictionaryRef match);

        CFArrayRef IOHIDEventSystemClientCopyServices(Pointer client);

        CFTypeRef IOHIDServiceClientCopyProperty(Pointer service, CFStringRef property);

        Pointer IOHIDServiceClientCopyEvent(Pointer service, long type, int options, long timestamp);

        double IOHIDEventGetFloatValue(Pointer event, int field);
    }

    static final int TEMPERATURE = 15;

    private final Lib lib;
    private final CFArrayRef services; // kept for the process: the services are read each sample
    private final Map<String, Pointer> chosen;

    private HidTemperatureSource(Lib lib, CFArrayRef services, Map<String, Pointer> chosen) {
        this.lib = lib;
        this.services = services;
        this.chosen = chosen;
    }

    /** @throws IOException when IOKit's event system cannot be reached or offers no temperature service */
    public static HidTemperatureSource open() throws IOException {
        Lib lib;
        try {
            lib = Native.load("/System/Library/Frameworks/IOKit.framework/IOKit", Lib.class);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("IOKit cannot be loaded: " + e);
        }
        try {
            Pointer client = lib.IOHIDEventSystemClientCreate(null);
            if (client == null) {
                throw new IOException("the IOHID event system refused a client");
            }
            CFMutableDictionaryRef match = matching(0xff00, 5);
            lib.IOHIDEventSystemClientSetMatching(client, match);
            match.release();
            CFArrayRef services = lib.IOHIDEventSystemClientCopyServices(client);
            if (services == null || services.getCount() == 0) {
                throw new IOException("no IOHID temperature service (Apple vendor page 0xff00, usage 5)");
            }
            List<String> names = new ArrayList<>();
            double[] first = new double[services.getCount()];
            CFStringRef product = CFStringRef.createCFString("Product");
            for (int i = 0; i < services.getCount(); i++) {
                Pointer sc = services.getValueAtIndex(i);
                CFTypeRef name = lib.IOHIDServiceClientCopyProperty(sc, product);
                names.add(name == null ? null : new CFStringRef(name.getPointer()).stringValue());
                if (name != null) {
                    name.release();
                }
                first[i] = read(lib, sc);
            }
            product.release();
            Map<String, Pointer> chosen = new LinkedHashMap<>();
            HidSensors.select(names, first).forEach((channel, i) -> chosen.put(channel, services.getValueAtIndex(i)));
            if (chosen.isEmpty()) {
                throw new IOException(services.getCount() + " IOHID temperature services, none with a plausible reading");
            }
            return new HidTemperatureSource(lib, services, chosen);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("the IOHID event system cannot be read: " + e);
        }
    }

    /** {PrimaryUsagePage: page, PrimaryUsage: usage}, as the event system matches services. */
    private static CFMutableDictionaryRef matching(int page, int usage) {
        CoreFoundation cf = CoreFoundation.INSTANCE;
        NativeLibrary lib = NativeLibrary.getInstance("CoreFoundation");
        CFMutableDictionaryRef d = cf.CFDictionaryCreateMutable(null, new CFIndex(0),
                lib.getGlobalVariableAddress("kCFTypeDictionaryKeyCallBacks"), lib.getGlobalVariableAddress("kCFTypeDictionaryValueCallBacks"));
        put(cf, d, "PrimaryUsagePage", page);
        put(cf, d, "PrimaryUsage", usage);
        return d;
    }

    private static void put(CoreFoundation cf, CFMutableDictionaryRef d, String key, int value) {
        CFStringRef k = CFStringRef.createCFString(key);
        CFNumberRef v = cf.CFNumberCreate(null, CoreFoundation.CFNumberType.kCFNumberSInt32Type.typeIndex(), new IntByReference(value));
        cf.CFDictionarySetValue(d, k, v);
        k.release();
        v.release();
    }

    /** A service's temperature now, NaN when it gives no event. */
    private static double read(Lib lib, Pointer service) {
        Pointer ev = lib.IOHIDServiceClientCopyEvent(service, TEMPERATURE, 0, 0);
        if (ev == null) {
            return Double.NaN;
        }
        try {
            return lib.IOHIDEventGetFloatValue(ev, TEMPERATURE << 16);
        } finally {
            new CFTypeRef(ev).release();
        }
    }

    @Override
    public String name() {
        return "iohid";
    }

    @Override
    public List<String> channels() {
        return List.copyOf(chosen.keySet());
    }

    @Override
    public synchronized Map<String, Double> sample() {
        Map<String, Double> out = new LinkedHashMap<>();
        chosen.forEach((channel, service) -> {
            double v = read(lib, service);
            if (HidSensors.plausible(v)) {
                out.put(channel, v);
            }
        });
        return out;
    }
}
