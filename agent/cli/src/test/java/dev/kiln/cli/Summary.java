package dev.kiln.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The human summary parsed strictly: the table's rows (suite → outcome) and the one verdict line with
 * its exit code. Anything that does not fit the documented shape fails the test that parses it.
 *
 * @param outcomes suite id → outcome, in table order
 * @param verdict  PASS, FAIL or INCOMPLETE
 * @param explain  the verdict's reason
 * @param exit     the exit code the summary promises
 */
record Summary(Map<String, String> outcomes, String verdict, String explain, int exit) {
    private static final Pattern ROW = Pattern.compile("^  (\\S+)\\s+(PASS|FAIL|HUNG|ERROR|SKIPPED|INTERRUPTED)\\s+\\S+\\s+\\d+\\s+\\d+\\s{2}.*$");
    private static final Pattern VERDICT = Pattern.compile("^Verdict  (PASS|FAIL|INCOMPLETE)  \\((.*)\\)  exit (\\d+)(: .*)?$");

    static Summary parse(String out) {
        String[] lines = out.split("\n", -1);
        int start = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].equals("Summary")) {
                if (start >= 0) {
                    throw new AssertionError("two summaries:\n" + out);
                }
                start = i;
            }
        }
        if (start < 0 || !lines[start + 1].startsWith("  SUITE ")) {
            throw new AssertionError("no summary table:\n" + out);
        }
        Map<String, String> outcomes = new LinkedHashMap<>();
        int i = start + 2;
        for (; i < lines.length && lines[i].startsWith("  "); i++) {
            Matcher m = ROW.matcher(lines[i]);
            if (!m.matches()) {
                throw new AssertionError("not a summary row: '" + lines[i] + "'\n" + out);
            }
            outcomes.put(m.group(1), m.group(2));
        }
        Summary found = null;
        for (; i < lines.length; i++) {
            if (lines[i].startsWith("Verdict")) {
                Matcher m = VERDICT.matcher(lines[i]);
                if (!m.matches() || found != null) {
                    throw new AssertionError("bad or second verdict line: '" + lines[i] + "'\n" + out);
                }
                found = new Summary(outcomes, m.group(1), m.group(2), Integer.parseInt(m.group(3)));
            }
        }
        if (found == null) {
            throw new AssertionError("no verdict line:\n" + out);
        }
        return found;
    }
}
