package dev.kiln.cli;

import dev.kiln.core.session.RunRequest;
import dev.kiln.core.session.RunService;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code kiln config}: the configuration, checked without running anything. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with the configuration.",
        subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Override
    public Integer call() {
        throw dev.kiln.core.KilnException.usage("kiln config needs a subcommand: check");
    }

    /**
     * {@code kiln config check}: the configuration file, the profile, the SKU and the service, checked
     * exactly as {@code kiln run} checks them, without running or writing anything: 0 and what was
     * checked, or 78 (64 for the command line) naming the file, line and field.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the configuration, profile and SKU as a run would, without running: 0 valid, 78 naming file, line and field.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        ConfigCommand config;

        @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: <state-dir>/config.yaml if present).")
        Path file;

        @Option(names = "--profile", defaultValue = "smoke", paramLabel = "NAME|FILE", description = "Profile to check. Default: ${DEFAULT-VALUE}.")
        String profile;

        @Option(names = "--sku", paramLabel = "FILE", description = "SKU file to check.")
        Path sku;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
        Path stateDir;

        @Option(names = "--service", paramLabel = "URL", description = "Acceptance service URL to check (else the config file's).")
        String service;

        @Override
        public Integer call() {
            RunRequest r = new RunRequest(profile, null, null, null, List.of(), null, stateDir, null, service, file, sku, null, false, false,
                    null, null, List.of(), 0, RunRequest.Output.HUMAN, null, false, "kiln config check", null);
            List<String> said = new RunService(Main.version(), config.parent.out, config.parent.err).checkOnly(r);
            said.forEach(config.parent.out::println);
            config.parent.out.println("ok");
            return 0;
        }
    }
}
