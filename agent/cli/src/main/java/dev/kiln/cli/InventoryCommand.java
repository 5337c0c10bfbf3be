package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.core.ExitCode;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.InventoryProbe;
import dev.kiln.core.sku.Sku;
import dev.kiln.core.state.Json;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln inventory [--sku FILE]}: what this machine is, and whether it is what the SKU promises. */
@Command(name = "inventory", mixinStandardHelpOptions = true,
        description = "Print the hardware inventory; with --sku, compare it and exit 1 on a mismatch.")
final class InventoryCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--sku", paramLabel = "FILE", description = "SKU file (YAML) to compare with.")
    Path skuFile;

    @Override
    public Integer call() throws Exception {
        Sku sku = skuFile == null ? null : Sku.load(skuFile);
        Inventory inv = new InventoryProbe().probe();
        List<Sku.Check> checks = sku == null ? List.of() : sku.compare(inv);
        boolean match = checks.stream().allMatch(Sku.Check::ok);
        PrintStream out = parent.out;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("inventory", inv);
            if (sku != null) {
                m.put("sku", sku);
                m.put("checks", checks);
                m.put("match", match);
            }
            out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(sku == null ? inv : m));
        } else {
            out.printf("Model      %s %s (%s)%n", inv.manufacturer(), inv.model(), inv.identifier());
            out.printf("Serial     %s%n", inv.serial());
            out.printf("Host       %s%n", inv.hostname());
            out.printf("OS         %s%n", inv.os());
            out.printf("Chip       %s%n", inv.chip());
            out.printf("Cores      %d physical, %d logical; clusters %s%n", inv.physicalCores(), inv.logicalCpus(),
                    inv.clusters().stream().map(c -> c.name() + " " + c.cores()).toList());
            out.printf("Topology   %s%n", dev.kiln.core.platform.CpuTopology.describe(dev.kiln.core.platform.PlatformProbe.current().cpus()));
            out.printf(Locale.ROOT, "Memory     %.1f GiB%n", inv.memoryBytes() / (double) (1L << 30));
            out.printf("GPU        %s%n", inv.gpus().isEmpty() ? "none found"
                    : inv.gpus().stream().map(g -> g.name() + (g.cores() > 0 ? " (" + g.cores() + " cores)" : "")).toList());
            out.printf("Neural Engine  %s%n", inv.neuralEngine() == null ? "unknown" : inv.neuralEngine() ? "present" : "absent");
            out.printf("Storage    %s%n", inv.disks().stream().map(d -> d.name() + " " + (d.sizeBytes() >> 30) + " GiB").toList());
            out.printf("MACs       %s%n", inv.macs());
            if (sku != null) {
                out.printf("%nSKU %s: %s%n", sku.name() == null ? skuFile : sku.name(), match ? "MATCH" : "MISMATCH");
                for (Sku.Check c : checks) {
                    out.printf("  %-4s %-24s expected %-18s found %s%n", c.ok() ? "ok" : "FAIL", c.field(), c.expected(), c.actual());
                }
            }
        }
        out.flush();
        return match ? ExitCode.PASS.code() : ExitCode.FAIL.code();
    }
}
