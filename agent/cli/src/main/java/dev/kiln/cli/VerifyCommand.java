package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.Json;
import java.io.IOException;
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
        TrustStore store = BundleInput.trust(trust);
        BundleLimits limits = BundleLimits.defaults();
        BundleVerifier.Result r = BundleInput.verify(bundle, BundleInput.read(bundle, limits), store, limits);
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
