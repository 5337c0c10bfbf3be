package dev.kiln.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.StationKey;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {
    @TempDir
    Path dir;

    @Test
    void initWritesAPrivateKeyOnlyTheOwnerCanRead() throws Exception {
        KeyStore s = new KeyStore(dir.resolve("keys/station.key"));
        StationKey k = s.init(false);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.privatePath())));
        assertEquals(k.keyId(), s.load().keyId());
        assertTrue(Files.readString(s.publicPath()).startsWith("-----BEGIN PUBLIC KEY-----"));
        KilnException again = assertThrows(KilnException.class, () -> s.init(false));
        assertEquals(ExitCode.CONFIG, again.exitCode());
        assertTrue(again.getMessage().contains("--force"));
        assertTrue(!s.init(true).keyId().equals(k.keyId()), "--force makes a new key");
    }

    private void rejected(KeyStore s, String reason) {
        KilnException e = assertThrows(KilnException.class, s::load);
        assertEquals(ExitCode.CONFIG, e.exitCode());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(!e.getMessage().contains("MC4CAQAwBQYDK2Vw"), "never prints key material (the PKCS#8 Ed25519 prefix)");
    }

    @Test
    void badKeysAreConfigurationErrors() throws Exception {
        rejected(new KeyStore(dir.resolve("none.key")), "does not exist");

        KeyStore open = new KeyStore(dir.resolve("open/station.key"));
        open.init(false);
        Files.setPosixFilePermissions(open.privatePath(), PosixFilePermissions.fromString("rw-r--r--"));
        rejected(open, "open to other users (mode rw-r--r--): chmod 600 it");

        KeyStore garbage = new KeyStore(dir.resolve("garbage/station.key"));
        garbage.init(false);
        Files.writeString(garbage.privatePath(), "hello");
        rejected(garbage, "no '-----BEGIN PRIVATE KEY-----' block");

        KeyStore mismatched = new KeyStore(dir.resolve("mismatch/station.key"));
        mismatched.init(false);
        KeyStore other = new KeyStore(dir.resolve("other/station.key"));
        other.init(false);
        Files.copy(other.publicPath(), mismatched.publicPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        rejected(mismatched, "does not match");

        KeyStore nopub = new KeyStore(dir.resolve("nopub/station.key"));
        nopub.init(false);
        Files.delete(nopub.publicPath());
        rejected(nopub, "public key");
    }
}
