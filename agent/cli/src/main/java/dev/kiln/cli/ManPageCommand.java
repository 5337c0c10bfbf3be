package dev.kiln.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln generate-manpage} (hidden): the man page kiln(1), in troff, generated from the commands
 * themselves — every command's usage help as picocli prints it for {@code --help}, so the page never
 * says anything the commands do not. The packages ship it (packaging/build-deb.sh).
 */
@Command(name = "generate-manpage", hidden = true, description = "Print the kiln(1) man page (troff), generated from the commands.")
final class ManPageCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Override
    public Integer call() {
        CommandLine root = Main.commandLine(parent.out, parent.err);
        StringBuilder b = new StringBuilder();
        b.append(".TH KILN 1 \"").append(LocalDate.now(ZoneOffset.UTC)).append("\" \"kiln ").append(Main.version()).append("\" \"Kiln\"\n");
        b.append(".SH NAME\nkiln \\- ").append(esc(String.join(" ", root.getCommandSpec().usageMessage().description()))).append('\n');
        b.append(".SH SYNOPSIS\n.B kiln\n.I command\n[\n.I options\n]\n");
        b.append(".SH DESCRIPTION\n.nf\n").append(esc(root.getUsageMessage(CommandLine.Help.Ansi.OFF))).append(".fi\n");
        b.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            CommandLine sub = e.getValue();
            if (sub.getCommandSpec().usageMessage().hidden() || e.getKey().equals("help")) {
                continue;
            }
            b.append(".SS kiln ").append(esc(e.getKey())).append("\n.nf\n").append(esc(sub.getUsageMessage(CommandLine.Help.Ansi.OFF))).append(".fi\n");
            for (Map.Entry<String, CommandLine> s2 : sub.getSubcommands().entrySet()) {
                b.append(".SS kiln ").append(esc(e.getKey() + " " + s2.getKey())).append("\n.nf\n")
                        .append(esc(s2.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF))).append(".fi\n");
            }
        }
        b.append(".SH SEE ALSO\nThe operator guide: /opt/kiln/docs/operator-guide.md, or docs/ in the source.\n");
        parent.out.print(b);
        return 0;
    }

    /** troff: a backslash is an escape, and a line starting with a dot or a quote is a request. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            String l = line.replace("\\", "\\e");
            if (l.startsWith(".") || l.startsWith("'")) {
                l = "\\&" + l;
            }
            b.append(l).append('\n');
        }
        return b.substring(0, b.length() - 1);
    }
}
