package dev.kiln.core;

import dev.kiln.api.Suite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The suites on the class path, found with {@link ServiceLoader}, by id. */
public final class SuiteRegistry {
    private final Map<String, Supplier<Suite>> byId = new TreeMap<>();

    private SuiteRegistry() {
    }

    public static SuiteRegistry load() {
        SuiteRegistry r = new SuiteRegistry();
        for (ServiceLoader.Provider<Suite> p : ServiceLoader.load(Suite.class).stream().toList()) {
            String id = p.get().descriptor().id();
            if (r.byId.putIfAbsent(id, p::get) != null) {
                throw new KilnException(ExitCode.INTERNAL, "two suites claim the id '" + id + "'");
            }
        }
        return r;
    }

    /** Ids in sorted order. */
    public List<String> ids() {
        return new ArrayList<>(byId.keySet());
    }

    public boolean has(String id) {
        return byId.containsKey(id);
    }

    /** A fresh instance of the suite. */
    public Suite create(String id) {
        Supplier<Suite> s = byId.get(id);
        if (s == null) {
            throw KilnException.usage("unknown suite '" + id + "' (known: " + String.join(", ", ids()) + ")");
        }
        return s.get();
    }
}
