package dev.kiln.core.outbox;

import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import java.time.Clock;

/**
 * This station's state as a run or a command uses it, made once: the state directory, its outbox and
 * its key store. Each is a view of files (nothing cached), so one object serves every thread of a run.
 */
public record Station(StateDir state, Outbox outbox, KeyStore keys) {

    public static Station of(StateDir state, Clock clock) {
        return new Station(state, new Outbox(state, clock), KeyStore.in(state));
    }
}
