package dev.kiln.core.state;

import dev.kiln.bundle.Pem;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PublicKey;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The station's signing key: {@code station.key} (PKCS#8 PEM, mode 0600) and {@code station.pub}.
 * A key that is missing where one was named, unreadable, malformed, readable by others, or that
 * does not match its public half is a configuration error (78). The private key is never logged.
 */
public final class KeyStore {
    private static final Set<PosixFilePermission> OPEN = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final Path privatePath;
    private final Path publicPath;

    public KeyStore(Path privateKey) {
        this.privatePath = privateKey;
        String name = privateKey.getFileName().toString();
        this.publicPath = privateKey.resolveSibling((name.endsWith(".key") ? name.substring(0, name.length() - 4) : name) + ".pub");
    }

    public static KeyStore in(StateDir state) {
        return new KeyStore(state.keys().resolve("station.key"));
    }

    public Path privatePath() {
        return privatePath;
    }

    public Path publicPath() {
        return publicPath;
    }

    /**
     * The public keys this station has signed with: the current one (if any) and every key in
     * {@code known/} (replaced keys, and explicit {@code --key}s a run used).
     */
    public TrustStore ownKeys() {
        java.util.List<PublicKey> keys = new java.util.ArrayList<>();
        if (exists()) {
            keys.add(load().publicKey());
        }
        Path retired = privatePath.toAbsolutePath().getParent().resolve("known");
        if (Files.isDirectory(retired)) {
            try (var s = Files.list(retired)) {
                for (Path p : s.filter(x -> x.toString().endsWith(".pub")).toList()) {
                    try {
                        keys.add(Pem.decodePublic(Files.readString(p, StandardCharsets.US_ASCII)));
                    } catch (IOException | IllegalArgumentException e) {
                        // an unreadable retired key only means its bundles cannot be re-checked
                    }
                }
            } catch (IOException e) {
                // as above
            }
        }
        return TrustStore.of(keys.toArray(PublicKey[]::new));
    }

    /** Remembers a public key this station signs with, so its bundles can be re-checked later. */
    public void remember(StationKey k) {
        Path known = privatePath.toAbsolutePath().getParent().resolve("known");
        Path file = known.resolve(k.keyId() + ".pub");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(known);
                AtomicFiles.write(file, Pem.encodePublic(k.publicKey()).getBytes(StandardCharsets.US_ASCII), known.resolve(".tmp"));
            }
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot record the public key in " + known + ": " + dev.kiln.bundle.Why.of(e));
        }
    }

    public boolean exists() {
        return Files.exists(privatePath);
    }

    /** Creates a new key pair; refuses to replace one unless {@code force}. */
    public StationKey init(boolean force) {
        if (exists() && !force) {
            throw KilnException.config("station key " + privatePath + " already exists (use --force to replace it; "
                    + "bundles it signed will then need the old public key to verify)");
        }
        StationKey k = StationKey.generate();
        try {
            Path dir = privatePath.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            if (Files.exists(publicPath)) {
                // Keep the old public half: bundles it signed and that still wait in the outbox must verify.
                Path retired = dir.resolve("known");
                Files.createDirectories(retired);
                try {
                    PublicKey old = Pem.decodePublic(Files.readString(publicPath, StandardCharsets.US_ASCII));
                    Files.copy(publicPath, retired.resolve(StationKey.keyId(old) + ".pub"), StandardCopyOption.REPLACE_EXISTING);
                } catch (IllegalArgumentException unreadable) {
                    // not a key: nothing worth keeping
                }
            }
            Path tmp = dir.resolve(".station-key.tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, Pem.encodePrivate(k.privateKey()), StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, privatePath, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.write(publicPath, Pem.encodePublic(k.publicKey()).getBytes(StandardCharsets.US_ASCII), dir.resolve(".tmp"));
        } catch (IOException e) {
            throw new KilnException(ExitCode.CANT_WRITE, "cannot write the station key to " + privatePath + ": " + dev.kiln.bundle.Why.of(e));
        }
        return k;
    }

    /** Loads and checks the key pair. */
    public StationKey load() {
        if (!Files.exists(privatePath)) {
            throw KilnException.config("station key " + privatePath + " does not exist (create it with: kiln keys init)");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(privatePath);
            if (perms.stream().anyMatch(OPEN::contains)) {
                throw KilnException.config("station key " + privatePath + " is open to other users (mode "
                        + PosixFilePermissions.toString(perms) + "): chmod 600 it");
            }
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions on this file system
        } catch (IOException e) {
            throw KilnException.config("cannot read station key " + privatePath + ": " + dev.kiln.bundle.Why.of(e));
        }
        String priv;
        String pub;
        try {
            priv = Files.readString(privatePath, StandardCharsets.US_ASCII);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw KilnException.config("cannot read station key " + privatePath + ": " + dev.kiln.bundle.Why.of(e));
        }
        try {
            pub = Files.readString(publicPath, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw KilnException.config("cannot read the station's public key " + publicPath + ": " + dev.kiln.bundle.Why.of(e));
        }
        StationKey k;
        try {
            k = new StationKey(Pem.decodePrivate(priv), Pem.decodePublic(pub));
        } catch (IllegalArgumentException e) {
            throw KilnException.config("station key " + privatePath + ": " + dev.kiln.bundle.Why.of(e));
        }
        if (!k.consistent()) {
            throw KilnException.config("station key " + privatePath + " does not match " + publicPath);
        }
        return k;
    }
}
