package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.bundle.BundleLimits;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleReader;
import dev.kiln.bundle.BundleVerifier;
import dev.kiln.bundle.Why;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.sku.Sku;
import dev.kiln.core.state.Json;
import dev.kiln.core.thermal.Rejudge;
import dev.kiln.core.thermal.ThermalJudge;
import dev.kiln.core.thermal.ThermalLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln judge BUNDLE [--sku FILE] [--trust KEY|DIR] [--json]}: judges a sealed bundle's heat
 * again, with the thresholds it was judged with or a SKU file's, without changing the bundle.
 */
@Command(name = "judge", mixinStandardHelpOptions = true,
        description = {"Judge a sealed bundle's telemetry again with the thermal judge, with the thresholds the run used or a SKU "
                + "file's (its limits override them field by field). The bundle is not changed.",
                "Exit 0 when the heat passed (a temperature judged, every check on enough readings), 1 when a check failed, 2 when "
                        + "nothing could be judged or the readings are too few to pass, "
                        + "65 for a bundle that cannot be read (or, with --trust, does not verify), 78 for a bad SKU file."})
final class JudgeCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "The .kiln.zip to judge.")
    Path bundle;

    @Option(names = "--sku", paramLabel = "FILE", description = "A SKU file whose limits override the run's thresholds.")
    Path sku;

    @Option(names = "--trust", paramLabel = "KEY|DIR", description = "Verify the bundle's signature against these keys first.")
    Path trust;

    @Option(names = "--json", description = "Print the judgement as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ThermalLimits override = ThermalLimits.NONE;
        if (sku != null) {
            Sku s = Sku.load(sku);
            override = s.limits() == null ? ThermalLimits.NONE : s.limits();
        }
        BundleLimits limits = BundleLimits.defaults();
        dev.kiln.bundle.ZipSource zip = BundleInput.read(bundle, limits);
        Map<String, byte[]> small;
        java.io.InputStream telemetry;
        try {
            if (trust != null) {
                BundleVerifier.Result r = BundleInput.verify(bundle, zip, BundleInput.trust(trust), limits);
                if (!r.valid()) {
                    throw new KilnException(ExitCode.DATA, "bundle " + bundle + " does not verify: " + String.join("; ", r.problems()));
                }
            }
            // the summary and inventory in memory (each up to 64 MiB); the telemetry streamed into the judge's trace, which
            // goes to a temporary file past its heap budget: a month of it is judged in a bounded heap
            BundleReader.Scan scan = BundleReader.scan(zip, limits.withMaxJsonBytes(64 << 20),
                    java.util.Set.of(BundleNames.SUMMARY, BundleNames.INVENTORY));
            small = scan.kept();
            telemetry = BundleReader.open(zip, scan, BundleNames.TELEMETRY);
        } catch (BundleReader.RejectedException e) {
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + " is not a readable bundle: " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + " cannot be read in this heap: " + Why.of(e));
        }
        try (java.io.InputStream in = telemetry; Rejudge rj = rejudge(small, in)) {
            return judge(rj, override);
        }
    }

    private Rejudge rejudge(Map<String, byte[]> small, java.io.InputStream telemetry) {
        try {
            return Rejudge.of(small.get(BundleNames.SUMMARY), small.get(BundleNames.INVENTORY), telemetry);
        } catch (dev.kiln.core.thermal.Trace.SpillFailed e) {
            throw new KilnException(ExitCode.CANT_WRITE, "bundle " + bundle + " cannot be judged here: " + e.getMessage());
        } catch (IOException e) {
            throw new KilnException(ExitCode.DATA, "bundle " + bundle + ": " + e.getMessage());
        }
    }

    private int judge(Rejudge rj, ThermalLimits override) throws IOException {
        ThermalLimits used = override.over(rj.limits());
        ThermalJudge.Judgement j = ThermalJudge.judge(rj.trace(), rj.stages(), used, rj.cpuClusters());
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bundle", bundle.toString());
            m.put("runId", rj.runId());
            m.put("sealedVerdict", rj.verdict());
            m.put("status", j.status());
            m.put("reason", j.reason());
            m.put("thresholds", used.over(ThermalLimits.DEFAULTS));
            m.put("stages", rj.stages());
            m.put("checks", j.checks());
            m.put("channels", j.channels());
            parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } else {
            parent.out.printf("Run %s (sealed verdict %s), %d samples, %s%n", rj.runId(), rj.verdict(), rj.trace().size(),
                    rj.stages().isEmpty() ? "no stage of suites together" : "stage " + rj.stages().get(rj.stages().size() - 1).name());
            for (ThermalJudge.Check c : j.checks()) {
                parent.out.printf("  %-8s %-24s %s%n", c.status(), c.name(), c.detail());
            }
            parent.out.printf("Thermal: %s%s%n", j.status(), sku == null ? "" : " (with the limits of " + sku + ")");
            if (!j.reason().isEmpty()) {
                parent.out.printf("  because %s%n", j.reason());
            }
        }
        parent.out.flush();
        return switch (j.status()) {
            case PASS -> ExitCode.PASS.code();
            case FAIL -> ExitCode.FAIL.code();
            case INSUFFICIENT, SKIPPED -> ExitCode.INCOMPLETE.code();
        };
    }

}
