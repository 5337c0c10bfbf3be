package dev.kiln.suites.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Objective-C runtime through FFM, as much as Metal compute needs (../shared/research/metal-ffm.md):
 * classes and selectors by name, and {@code objc_msgSend} called through one downcall handle per
 * message shape (never as a variadic call: on arm64 macOS variadic arguments go on the stack, method
 * bodies read registers). Struct arguments (MTLSize) go by value as FFM lays them out for AAPCS64.
 * Libraries are looked up by their install names (framework binaries live only in the dyld shared
 * cache, so never through a {@code Path}). Loaded on first use, on macOS only; never run on a Mac by
 * this project yet (docs/on-hardware-checklist.md).
 */
final class ObjC {
    static final ValueLayout ID = ValueLayout.ADDRESS;
    static final ValueLayout NSUINT = ValueLayout.JAVA_LONG;
    /** MTLSize: three NSUIntegers. */
    static final MemoryLayout MTL_SIZE = MemoryLayout.structLayout(NSUINT.withName("width"), NSUINT.withName("height"), NSUINT.withName("depth"));

    private static ObjC instance;

    private final Linker linker = Linker.nativeLinker();
    private final Arena arena = Arena.global();
    private final SymbolLookup objc;
    private final SymbolLookup metal;
    private final MemorySegment msgSend;
    private final MethodHandle getClass;
    private final MethodHandle registerName;
    private final MethodHandle poolPush;
    private final MethodHandle poolPop;
    private final Map<FunctionDescriptor, MethodHandle> shapes = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> selectors = new ConcurrentHashMap<>();

    private ObjC() {
        objc = SymbolLookup.libraryLookup("/usr/lib/libobjc.A.dylib", arena);
        SymbolLookup.libraryLookup("/System/Library/Frameworks/Foundation.framework/Foundation", arena); // NSString, NSError
        metal = SymbolLookup.libraryLookup("/System/Library/Frameworks/Metal.framework/Metal", arena);
        msgSend = objc.find("objc_msgSend").orElseThrow(() -> new IllegalStateException("libobjc has no objc_msgSend"));
        getClass = handle(objc, "objc_getClass", FunctionDescriptor.of(ID, ValueLayout.ADDRESS));
        registerName = handle(objc, "sel_registerName", FunctionDescriptor.of(ID, ValueLayout.ADDRESS));
        poolPush = handle(objc, "objc_autoreleasePoolPush", FunctionDescriptor.of(ValueLayout.ADDRESS));
        poolPop = handle(objc, "objc_autoreleasePoolPop", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** The runtime, loaded once; throws where the libraries are not there (any OS but macOS). */
    static synchronized ObjC get() {
        if (instance == null) {
            instance = new ObjC();
        }
        return instance;
    }

    private MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor d) {
        return linker.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name)), d);
    }

    /** A C function of the Metal framework ({@code MTLCopyAllDevices}, {@code MTLCreateSystemDefaultDevice}). */
    MemorySegment metalFunction(String name) {
        try {
            return (MemorySegment) handle(metal, name, FunctionDescriptor.of(ID)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
    }

    /** Loads a framework by install name (its initialisers run): CoreGraphics makes the window-server connection some Metal calls want. */
    void load(String installName) {
        SymbolLookup.libraryLookup(installName, arena);
    }

    MemorySegment cls(String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = (MemorySegment) getClass.invoke(a.allocateFrom(name));
            if (c.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("no Objective-C class " + name);
            }
            return c;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    MemorySegment sel(String name) {
        return selectors.computeIfAbsent(name, n -> {
            try (Arena a = Arena.ofConfined()) {
                return (MemorySegment) registerName.invoke(a.allocateFrom(n));
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
    }

    /**
     * Sends a message: {@code ret} the return layout (null for void), {@code args} the layouts of the
     * arguments after self and the selector, {@code values} their values (MemorySegment, Long, Boolean,
     * Double, or a MemorySegment holding a struct by value).
     */
    Object send(MemorySegment self, String selector, MemoryLayout ret, List<MemoryLayout> args, Object... values) {
        List<MemoryLayout> all = new ArrayList<>(List.of(ID, ID));
        all.addAll(args);
        FunctionDescriptor d = ret == null ? FunctionDescriptor.ofVoid(all.toArray(MemoryLayout[]::new))
                : FunctionDescriptor.of(ret, all.toArray(MemoryLayout[]::new));
        MethodHandle h = shapes.computeIfAbsent(d, x -> linker.downcallHandle(msgSend, x));
        List<Object> call = new ArrayList<>(List.of(self, sel(selector)));
        call.addAll(List.of(values));
        try {
            return h.invokeWithArguments(call);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(selector + ": " + t, t);
        }
    }

    /** {@code [self selector]} returning an object. */
    MemorySegment obj(MemorySegment self, String selector) {
        return (MemorySegment) send(self, selector, ID, List.of());
    }

    /** {@code [self selector]} returning an NSUInteger (or NSInteger). */
    long num(MemorySegment self, String selector) {
        return (long) send(self, selector, NSUINT, List.of());
    }

    /** {@code [self selector]} returning nothing. */
    void call(MemorySegment self, String selector) {
        send(self, selector, null, List.of());
    }

    void release(MemorySegment self) {
        if (!self.equals(MemorySegment.NULL)) {
            call(self, "release");
        }
    }

    /** A new NSString (+1: release it) from Java text, as UTF-8. */
    MemorySegment string(String s, Arena a) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        MemorySegment bytes = a.allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, bytes, ValueLayout.JAVA_BYTE, 0, b.length);
        MemorySegment alloc = obj(cls("NSString"), "alloc");
        return (MemorySegment) send(alloc, "initWithBytes:length:encoding:", ID, List.of(ID, NSUINT, NSUINT), bytes, (long) b.length, 4L);
    }

    /** Java text of an NSString (or "(null)"). */
    String text(MemorySegment nsString) {
        if (nsString.equals(MemorySegment.NULL)) {
            return "(null)";
        }
        MemorySegment utf8 = obj(nsString, "UTF8String");
        return utf8.equals(MemorySegment.NULL) ? "(null)" : utf8.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** An NSError's own words: its localized description and code. */
    String error(MemorySegment nsError) {
        if (nsError.equals(MemorySegment.NULL)) {
            return "no NSError given";
        }
        return text(obj(nsError, "localizedDescription")) + " (code " + num(nsError, "code") + ")";
    }

    /** Pushes an autorelease pool on this OS thread; pop it on the same thread. */
    MemorySegment push() {
        try {
            return (MemorySegment) poolPush.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void pop(MemorySegment pool) {
        try {
            poolPop.invoke(pool);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
