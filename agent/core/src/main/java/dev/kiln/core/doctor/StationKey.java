package dev.kiln.core.doctor;

import dev.kiln.core.state.KeyStore;
import java.util.List;

/** The station's signing key: there and loadable. */
final class StationKey implements Capability {
    private static final String ID = "station-key";

    @Override
    public List<Check> check(Doctor.Context ctx) {
        KeyStore keys = KeyStore.in(ctx.state());
        if (!keys.exists()) {
            return List.of(Check.missing(ID, "no station key in " + ctx.state().root(), "kiln keys init (the first run makes one too)"));
        }
        try {
            return List.of(Check.ok(ID, "key " + keys.load().keyId().substring(0, 16) + "… in " + keys.privatePath()));
        } catch (RuntimeException e) {
            return List.of(Check.missing(ID, "the station key does not load: " + e.getMessage(), "kiln keys init --force"));
        }
    }
}
