package dev.kiln.cli;

import dev.kiln.api.SuiteEnvironment;
import dev.kiln.core.inventory.InventoryProbe;
import dev.kiln.core.platform.CpuTopology;

/** The suite environment of this machine, as the commands share it. */
final class Machine {
    private Machine() {
    }

    static SuiteEnvironment environment() {
        return new SuiteEnvironment(System.getProperty("os.name"), System.getProperty("os.arch"),
                CpuTopology.probe(), InventoryProbe.availableMemory());
    }

    /** This machine's host name, for addresses printed to the operator ("localhost" when it has none). */
    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
