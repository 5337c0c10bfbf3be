package dev.kiln.core.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kiln.core.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds a profile by built-in name or file path. An unknown name is a usage error (64); a file
 * that does not read or parse is a configuration error (78). Either way one line says what is wrong.
 */
public final class ProfileLoader {
    /** The profiles shipped inside the agent. */
    public static final List<String> BUILT_IN = List.of("smoke", "standard", "burn-in");
    private static final long MAX_BYTES = 1 << 20;

    private final ObjectMapper yaml = dev.kiln.core.state.Json.YAML;

    public Profile load(String nameOrFile) {
        if (BUILT_IN.contains(nameOrFile)) {
            try (InputStream in = ProfileLoader.class.getResourceAsStream("/profiles/" + nameOrFile + ".yaml")) {
                if (in == null) {
                    throw new KilnException(dev.kiln.core.ExitCode.INTERNAL, "built-in profile " + nameOrFile + " is missing from the agent");
                }
                return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "built-in profile " + nameOrFile);
            } catch (IOException e) {
                throw new KilnException(dev.kiln.core.ExitCode.INTERNAL, "cannot read built-in profile " + nameOrFile + ": " + dev.kiln.bundle.Why.of(e));
            }
        }
        Path file = Path.of(nameOrFile);
        boolean looksLikeFile = nameOrFile.contains("/") || nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml");
        if (!Files.exists(file)) {
            if (looksLikeFile) {
                throw KilnException.usage("profile file " + nameOrFile + " does not exist");
            }
            throw KilnException.usage("unknown profile '" + nameOrFile + "' (built in: " + String.join(", ", BUILT_IN) + "; or give a YAML file)");
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw KilnException.config("profile " + file + " is larger than 1 MiB");
            }
            return parse(Files.readString(file), "profile " + file);
        } catch (IOException e) {
            throw KilnException.config("cannot read profile " + file + ": " + dev.kiln.bundle.Why.of(e));
        }
    }

    /** Parses profile YAML; {@code what} names it in errors. */
    public Profile parse(String text, String what) {
        if (text.isBlank()) {
            throw KilnException.config(what + " is empty");
        }
        Profile p;
        try {
            p = yaml.readValue(text, Profile.class);
        } catch (UnrecognizedPropertyException e) {
            int line = dev.kiln.core.config.YamlLines.ofKey(text, e.getPropertyName(), e);
            throw KilnException.config(what + ": unknown key '" + e.getPropertyName() + "'" + (line < 0 ? "" : " (line " + line + ")"));
        } catch (JsonProcessingException e) {
            throw KilnException.config(what + ": " + firstLine(e.getOriginalMessage()) + at(e));
        }
        if (p == null) {
            throw KilnException.config(what + " is empty");
        }
        if (p.suites().isEmpty() && p.together() == null) {
            throw KilnException.config(what + ": lists no suites");
        }
        return p;
    }

    private static String at(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
