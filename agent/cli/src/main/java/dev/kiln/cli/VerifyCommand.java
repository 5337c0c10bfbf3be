package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.Why;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln verify BUNDLE --trust KEY|DIR}: is this bundle intact, and signed by a trusted station? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a bundle's digests, signature and signer. Exit 0 when valid, 65 when not.")
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The .kiln.zip to check.")
    Path bundle;

    @Option(names = "--trust", required = true, paramLabel = "KEY|DIR",
            description = "A trusted station public key (PEM), or a directory of them (*.pub, *.pem).")
    Path trust;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        TrustStore store;
        try {
            store = TrustStore.load(trust);
        } catch (IllegalArgumentException e) {
            throw KilnException.config(e.getMessage());
        }
        BundleLimits limits = BundleLimits.defaults();
        byte[] zip;
        try {
            if (Files.size(bundle) > limits.maxBundleBytes()) {
                throw new KilnException(ExitCode.DATA, "bundle " + bundle + " is larger than " + limits.maxBundleBytes() + " bytes");
            }
            try (InputStream in = Files.newInputStream(bundle)) {
                zip = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new KilnException(ExitCode.DATA, "cannot read bundle " + bundle + ": " + Why.of(e));
        }
        BundleVerifier.Result r;
        try {
            r = new BundleVerifier(store, limits).verify(zip);
        } catch (OutOfMemoryError e) {
            // verification streams and is bounded; a heap too small for the zip itself is still bad input, not a defect (1)
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + " cannot be verified in this heap: " + Why.of(e));
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", bundle.toString());
            m.put("valid", r.valid());
            m.put("problems", r.problems());
            m.put("keyid", r.keyId());
            m.put("predicate", r.predicate());
            parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } else if (r.valid()) {
            parent.out.printf("VALID  %s%n  run %s  unit %s  verdict %s%n  signed by trusted key %s%n", bundle,
                    r.predicate().path("runId").asText(), r.predicate().path("serial").asText(),
                    r.predicate().path("verdict").asText(), r.keyId());
        } else {
            parent.out.printf("INVALID  %s%n", bundle);
            r.problems().forEach(p -> parent.out.println("  - " + p));
        }
        return r.valid() ? ExitCode.PASS.code() : ExitCode.DATA.code();
    }
}
