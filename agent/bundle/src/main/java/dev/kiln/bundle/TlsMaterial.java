package dev.kiln.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files, for the agent's uploader and the acceptance service alike: a CA
 * bundle to trust (else the JDK's), and a certificate chain with its PKCS#8 key (RSA, EC or
 * Ed25519) to present. Problems come back as {@link IllegalArgumentException} naming the file.
 */
public final class TlsMaterial {
    private static final Pattern KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([^-]+)-----END PRIVATE KEY-----");

    private TlsMaterial() {
    }

    /**
     * @param trustedCas PEM certificates to trust, or null for the JDK's defaults
     * @param certChain  PEM certificate chain to present, or null
     * @param key        PEM PKCS#8 key of that chain, or null
     */
    public static SSLContext context(Path trustedCas, Path certChain, Path key) {
        if ((certChain == null) != (key == null)) {
            throw new IllegalArgumentException("a certificate needs its key, and a key its certificate");
        }
        try {
            TrustManagerFactory tmf = null;
            if (trustedCas != null) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate cert : certificates(trustedCas)) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (certChain != null) {
                List<Certificate> chain = List.copyOf(certificates(certChain));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] none = new char[0];
                ks.setKeyEntry("key", privateKey(key), none, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage());
        }
    }

    static Collection<? extends Certificate> certificates(Path pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pem);
            }
            return certs;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read certificate file " + pem + ": " + Why.of(e));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate file " + pem + " is not PEM X.509: " + e.getMessage());
        }
    }

    static PrivateKey privateKey(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key " + pem + ": " + Why.of(e));
        }
        Matcher m = KEY.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("key " + pem + " is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("key " + pem + " is not an RSA, EC or Ed25519 key");
    }
}
