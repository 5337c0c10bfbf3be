package dev.kiln.cli;

import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.TrustStore;
import dev.kiln.bundle.Why;
import dev.kiln.bundle.ZipSource;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A bundle named on the command line ({@code kiln verify}, {@code kiln judge}): read within the limits, and checked. */
final class BundleInput {
    private BundleInput() {
    }

    /**
     * The bundle as a file read as it is scanned (never whole in the heap); 65 with one line when it
     * cannot be read or is larger than the limit.
     */
    static ZipSource read(Path bundle, BundleLimits limits) {
        try {
            ZipSource zip = ZipSource.of(bundle);
            if (zip.size() > limits.maxBundleBytes()) {
                throw new KilnException(ExitCode.DATA, "bundle " + bundle + " is larger than " + limits.maxBundleBytes() + " bytes");
            }
            try (InputStream in = Files.newInputStream(bundle)) {
                in.read(); // readable, not only present
            }
            return zip;
        } catch (IOException e) {
            throw new KilnException(ExitCode.DATA, "cannot read bundle " + bundle + ": " + Why.of(e));
        }
    }

    /** The trusted keys; 78 with one line when they cannot be loaded. */
    static TrustStore trust(Path keys) {
        try {
            return TrustStore.load(keys);
        } catch (IllegalArgumentException e) {
            throw KilnException.config(e.getMessage());
        }
    }

    /**
     * Verifies; verification streams and is bounded (a heap too small for even that is still bad
     * input, 65, not a defect found, 1).
     */
    static BundleVerifier.Result verify(Path bundle, ZipSource zip, TrustStore store, BundleLimits limits) {
        try {
            return new BundleVerifier(store, limits).verify(zip);
        } catch (OutOfMemoryError e) {
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + " cannot be verified in this heap: " + Why.of(e));
        }
    }
}
