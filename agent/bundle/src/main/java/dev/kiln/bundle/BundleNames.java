package dev.kiln.bundle;

import java.util.List;

/** The files of a bundle (format version 1) and the rule for safe entry names. */
public final class BundleNames {
    /** The media type of a bundle on the wire and in a blob store: what the uploader sends and the service asks for. */
    public static final String MEDIA_TYPE = "application/vnd.kiln.bundle+zip";
    public static final String MANIFEST = "manifest.json";
    public static final String INVENTORY = "inventory.json";
    public static final String EVENTS = "results/ocptv.jsonl";
    public static final String SUMMARY = "results/summary.json";
    public static final String TELEMETRY = "telemetry/samples.csv";
    public static final String LOG = "logs/agent.log";
    public static final String ATTESTATION = "attestation/bundle.dsse.json";

    /** Every file a version-1 bundle holds besides the attestation. */
    public static final List<String> CONTENT = List.of(MANIFEST, INVENTORY, EVENTS, SUMMARY, TELEMETRY, LOG);

    private BundleNames() {
    }

    /**
     * Rejects names that could escape the directory a bundle is unpacked into, or that mean
     * different things to different unzip tools.
     */
    public static void requireSafe(String name) {
        String why = unsafe(name);
        if (why != null) {
            throw new IllegalArgumentException("unsafe entry name '" + name + "': " + why);
        }
    }

    /** Why a name is unsafe, or null. */
    public static String unsafe(String name) {
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':')) {
            return "absolute path";
        }
        if (name.contains("\\")) {
            return "backslash";
        }
        for (String part : name.split("/", -1)) {
            if (part.equals("..")) {
                return "'..' component";
            }
            if (part.equals(".") || part.isEmpty()) {
                return "empty or '.' component";
            }
        }
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                return "control character";
            }
        }
        return null;
    }
}
