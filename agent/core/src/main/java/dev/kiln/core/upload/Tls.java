package dev.kiln.core.upload;

import dev.kiln.bundle.TlsMaterial;
import dev.kiln.core.KilnException;
import javax.net.ssl.SSLContext;

/** The uploader's TLS context from its configuration; any bad file is a configuration error (78). */
public final class Tls {
    private Tls() {
    }

    /** The context for this configuration, or null to use the JDK's default. */
    public static SSLContext context(ServiceConfig c) {
        if (c.caFile() == null && c.clientCert() == null && c.clientKey() == null) {
            return null;
        }
        try {
            return TlsMaterial.context(c.caFile(), c.clientCert(), c.clientKey());
        } catch (IllegalArgumentException e) {
            throw KilnException.config(e.getMessage());
        }
    }
}
