package dev.kiln.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;

/** Where in a YAML file a problem is, for one-line errors that name the line. */
public final class YamlLines {
    private YamlLines() {
    }

    /**
     * The line of an unknown key: the first line that defines it (the parser's own location is the
     * token after the key, often the next line), else the parser's location; -1 when neither is known.
     */
    public static int ofKey(String text, String key, JsonProcessingException e) {
        String[] lines = text.split("\n", -1);
        Pattern p = Pattern.compile("\\s*-?\\s*" + Pattern.quote(key) + "\\s*:.*");
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).matches()) {
                return i + 1;
            }
        }
        return e.getLocation() == null ? -1 : e.getLocation().getLineNr();
    }
}
