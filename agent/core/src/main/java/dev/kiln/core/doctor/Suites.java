package dev.kiln.core.doctor;

import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.bundle.Why;
import dev.kiln.core.SuiteRegistry;
import dev.kiln.core.platform.PlatformProbe;
import java.util.ArrayList;
import java.util.List;

/**
 * Each suite: can it run here, what it finds (GPU devices of its type, the Neural Engine's
 * providers), whether it has been verified on this kind of machine, and the fix, all from the suite
 * itself through the SPI: nothing here knows a suite by name.
 */
final class Suites implements Capability {
    @Override
    public List<Check> check(Doctor.Context ctx) {
        SuiteRegistry registry = SuiteRegistry.load();
        SuiteEnvironment env = PlatformProbe.current().environment();
        List<Check> out = new ArrayList<>();
        for (String id : registry.ids()) {
            if (id.startsWith("selftest")) {
                continue; // the agent's own test suites, not a capability of the machine
            }
            out.add(check(registry.create(id), env));
        }
        return out;
    }

    static Check check(Suite s, SuiteEnvironment env) {
        String id = "suite-" + s.descriptor().id();
        try {
            Availability a = s.availability(env);
            Boolean verified = s.verifiedOn(env) ? null : false; // null: nothing to say where it has run on this kind of machine
            if (!a.available()) {
                return Check.missing(id, a.reason(), s.fixHere(env));
            }
            try {
                List<String> found = s.findHere(env);
                return new Check(id, Check.Status.OK, found.isEmpty() ? "can run here" : String.join("; ", found), "", verified);
            } catch (SuiteUnavailableException e) {
                return new Check(id, Check.Status.MISSING, e.getMessage(), s.fixHere(env), verified);
            }
        } catch (RuntimeException | LinkageError e) {
            return Check.missing(id, "its availability check failed: " + Why.of(e), s.fixHere(env));
        }
    }
}
