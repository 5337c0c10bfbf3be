package dev.kiln.cli;

import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kiln} command. {@link #run} returns the exit code and writes only to the streams it is
 * given; only {@link #main} calls {@code System.exit}. Every error leaves as one line on stderr and
 * a code from {@link ExitCode}.
 */
@Command(name = "kiln", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, scope = picocli.CommandLine.ScopeType.INHERIT,
        description = "Burn-in and diagnostics agent: runs self-checking stress suites and decides a verdict.")
public final class Main {
    /**
     * The commands, in the order help lists them. picocli builds a command's model by reflection when
     * it is added, a tenth of a second each before the JIT has warmed up: a command line naming one
     * of the commands that work alone gets that one only (the first suite starts sooner); help, the
     * completion script and the man page, which describe them all, get every one.
     */
    private static final Map<String, java.util.function.Supplier<Object>> COMMANDS = new LinkedHashMap<>();
    private static final java.util.Set<String> DESCRIBE_ALL = java.util.Set.of("help", "generate-completion", "generate-manpage");

    static {
        COMMANDS.put("run", RunCommand::new);
        COMMANDS.put("suites", SuitesCommand::new);
        COMMANDS.put("inventory", InventoryCommand::new);
        COMMANDS.put("verify", VerifyCommand::new);
        COMMANDS.put("keys", KeysCommand::new);
        COMMANDS.put("upload", UploadCommand::new);
        COMMANDS.put("outbox", OutboxCommand::new);
        COMMANDS.put("telemetry", TelemetryCommand::new);
        COMMANDS.put("judge", JudgeCommand::new);
        COMMANDS.put("report", ReportCommand::new);
        COMMANDS.put("config", ConfigCommand::new);
        COMMANDS.put("status", StatusCommand::new);
        COMMANDS.put("doctor", DoctorCommand::new);
        COMMANDS.put("generate-manpage", ManPageCommand::new);
        COMMANDS.put("generate-completion", picocli.AutoComplete.GenerateCompletion::new);
        COMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    /** Where commands write: stdout and stderr in production, buffers in tests. */
    final PrintStream out;
    final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        terminal = isTerminal(); // before stdout is claimed (when it is not a terminal): afterwards descriptor 1 is stderr
        int code;
        try {
            // On a terminal stdout is a person's screen, which the live view draws on through the tty
            // itself (JLine): a stray native line there is only seen, never parsed. Elsewhere stdout is
            // kept for Kiln's own output.
            code = run(terminal ? new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                    java.nio.charset.StandardCharsets.UTF_8) : Stdout.claim(), System.err, args);
        } catch (Throwable t) {
            // an Error escaping a command (out of memory, a broken JVM): one line and 70, never the
            // JVM's exit 1, which a rack would read as "defect found"
            System.err.println("kiln: internal error: " + t);
            code = ExitCode.INTERNAL.code();
        }
        System.exit(code);
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        String first = args.length == 0 ? "" : args[0];
        CommandLine cmd = COMMANDS.containsKey(first) && !DESCRIBE_ALL.contains(first) ? commandLine(out, err, first) : commandLine(out, err);
        return cmd.execute(args);
    }

    /** Every command. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, COMMANDS.keySet().toArray(String[]::new));
    }

    /** The root with the named commands only. */
    static CommandLine commandLine(PrintStream out, PrintStream err, String... commands) {
        CommandLine cmd = new CommandLine(new Main(out, err));
        for (String name : commands) {
            cmd.addSubcommand(name, COMMANDS.get(name).get());
        }
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format("%3d", c.code()), c.meaning());
        }
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        }
        cmd.setExitCodeExceptionMapper(t -> t instanceof KilnException k ? k.exitCode().code() : ExitCode.INTERNAL.code());
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("kiln: " + oneLine(ex.getMessage()) + " (see " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return ExitCode.USAGE.code();
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof KilnException k) {
                err.println("kiln: " + oneLine(k.getMessage()));
                return k.exitCode().code();
            }
            err.println("kiln: internal error: " + ex);
            ex.printStackTrace(err);
            return ExitCode.INTERNAL.code();
        });
        return cmd;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "error";
        }
        return s.replace("\r", "").replace('\n', ' ').trim();
    }

    /** The agent's version, from the filtered resource in the jar. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/kiln-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kiln " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                "OS " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")};
        }
    }

    private static volatile Boolean terminal;

    /** True when stdout is an interactive terminal (live progress) rather than a pipe or file. */
    static boolean stdoutIsTerminal() {
        Boolean t = terminal;
        return t != null ? t : isTerminal();
    }

    private static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    static void require(boolean ok, String usageMessage) {
        if (!ok) {
            throw KilnException.usage(usageMessage);
        }
    }
}
