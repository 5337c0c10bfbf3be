package dev.kiln.cli;

import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln keys init|show}: the station signing key. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create or show the station signing key.",
        subcommands = {KeysCommand.Init.class, KeysCommand.Show.class})
final class KeysCommand {
    @ParentCommand
    Main parent;

    @Option(names = "--state-dir", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "State directory holding keys/station.key (default as for run).")
    Path stateDir;

    KeyStore store() {
        return KeyStore.in(StateDir.resolve(stateDir));
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the station key (Ed25519, PKCS#8 PEM, mode 0600) and its public half.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Option(names = "--force", description = "Replace an existing key (bundles it signed then need the old public key).")
        boolean force;

        @Override
        public Integer call() {
            KeyStore store = keys.store();
            StationKey k = store.init(force);
            keys.parent.out.println("created " + store.privatePath());
            keys.parent.out.println("public   " + store.publicPath());
            keys.parent.out.println("keyid    " + k.keyId());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the station's public key and key id.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        KeysCommand keys;

        @Override
        public Integer call() {
            StationKey k = keys.store().load();
            keys.parent.out.print(Pem.encodePublic(k.publicKey()));
            keys.parent.out.println("keyid " + k.keyId());
            return 0;
        }
    }
}
