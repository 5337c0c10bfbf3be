package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.inventory.InventoryProbe;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kiln inventory}: what this machine is. */
@Command(name = "inventory", mixinStandardHelpOptions = true, description = "Print the hardware inventory of this machine (OSHI-based).")
final class InventoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Inventory inv = new InventoryProbe().probe();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(inv));
        } else {
            out.printf("Model      %s %s%n", inv.manufacturer(), inv.model());
            out.printf("Serial     %s%n", inv.serial());
            out.printf("Host       %s%n", inv.hostname());
            out.printf("OS         %s%n", inv.os());
            out.printf("CPU        %s%n", inv.cpuModel());
            out.printf("Cores      %d physical, %d logical  %s%n", inv.physicalCores(), inv.logicalCpus(), inv.coreClasses());
            out.printf(Locale.ROOT, "Memory     %.1f GiB%n", inv.memoryBytes() / (double) (1L << 30));
        }
        out.flush();
        return 0;
    }
}
