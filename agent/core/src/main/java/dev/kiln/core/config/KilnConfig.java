package dev.kiln.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.kiln.core.Durations;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Tls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's configuration file ({@code --config FILE}, else {@code <state-dir>/config.yaml} when
 * it exists). Unknown keys and bad values are configuration errors (78) naming the file.
 *
 * <pre>
 * service:
 *   url: https://acceptance.example:8443
 *   tokenFile: /etc/kiln/token          # bearer token
 *   caFile: /etc/kiln/ca.pem            # trust these CAs instead of the JDK's
 *   clientCert: /etc/kiln/client.pem    # mTLS
 *   clientKey: /etc/kiln/client.key
 *   timeout: 60s
 *   retryBaseDelay: 500ms
 *   retryMaxDelay: 60s
 *   heartbeat: 15s                     # a running unit's status to the service this often; off: none
 * outbox:
 *   sentRetention: 7d                   # keep delivered bundles this long (receipts forever)
 *   minFreeMiB: 256                     # refuse to start a run with less free space
 * delivery:
 *   runWait: 30s                        # how long `kiln run` tries to deliver before leaving it pending
 * unit:
 *   serial: C02XK0TEST                  # the unit's serial where the machine gives none (--serial wins)
 * </pre>
 */
public record KilnConfig(@JsonProperty("service") Service service, @JsonProperty("outbox") OutboxSettings outbox,
                         @JsonProperty("delivery") Delivery delivery, @JsonProperty("unit") Unit unit) {

    /** The unit this station tests, where the machine cannot say it itself. */
    public record Unit(@JsonProperty("serial") String serial) {
    }

    public record Service(@JsonProperty("url") String url, @JsonProperty("tokenFile") String tokenFile,
                          @JsonProperty("caFile") String caFile, @JsonProperty("clientCert") String clientCert,
                          @JsonProperty("clientKey") String clientKey, @JsonProperty("timeout") String timeout,
                          @JsonProperty("retryBaseDelay") String retryBaseDelay, @JsonProperty("retryMaxDelay") String retryMaxDelay,
                          @JsonProperty("heartbeat") String heartbeat) {
    }

    public record OutboxSettings(@JsonProperty("sentRetention") String sentRetention, @JsonProperty("minFreeMiB") Long minFreeMiB) {
    }

    public record Delivery(@JsonProperty("runWait") String runWait) {
    }

    public static KilnConfig empty() {
        return new KilnConfig(null, null, null, null);
    }

    /** The explicit file (which must exist), else the state directory's config.yaml if present. */
    public static Loaded load(Path explicit, StateDir state) {
        Path file = explicit != null ? explicit : state.root().resolve("config.yaml");
        if (explicit == null && !Files.exists(file)) {
            return new Loaded(empty(), null, "");
        }
        if (!Files.isRegularFile(file)) {
            throw KilnException.config("config file " + file + " does not exist");
        }
        ObjectMapper yaml = dev.kiln.core.state.Json.YAML;
        String text = "";
        try {
            text = Files.readString(file);
            KilnConfig c = text.isBlank() ? empty() : yaml.readValue(text, KilnConfig.class);
            return new Loaded(c == null ? empty() : c, file, text);
        } catch (UnrecognizedPropertyException e) {
            int line = YamlLines.ofKey(text, e.getPropertyName(), e);
            throw KilnException.config("config " + file + (line < 0 ? "" : ", line " + line) + ": unknown key '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            // a value of the wrong kind names its field (the message names only the type); others name it themselves
            String field = e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException jm && !jm.getPath().isEmpty()
                    ? String.join(".", jm.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]").toList()) + ": "
                    : "";
            throw KilnException.config("config " + file + (e.getLocation() == null ? "" : ", line " + e.getLocation().getLineNr())
                    + ": " + field + (m == null ? "malformed" : m.split("\n")[0]));
        } catch (IOException e) {
            throw KilnException.config("cannot read config " + file + ": " + dev.kiln.bundle.Why.of(e));
        }
    }

    /** A configuration and the file it came from (null: none). */
    public record Loaded(KilnConfig config, Path file, String text) {
        public Loaded(KilnConfig config, Path file) {
            this(config, file, "");
        }

        /** "config FILE, line N" for a key (its last dotted part), or the command line. */
        private String where(String key) {
            if (file == null) {
                return "the command line";
            }
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].trim().startsWith(leaf + ":")) {
                    return "config " + file + ", line " + (i + 1);
                }
            }
            return "config " + file;
        }

        private Duration duration(String text, Duration fallback, String key) {
            if (text == null) {
                return fallback;
            }
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw KilnException.config(where(key) + ": " + key + ": " + dev.kiln.bundle.Why.of(e));
            }
        }

        private Path path(String text, String key) {
            if (text == null) {
                return null;
            }
            Path p = Path.of(text);
            if (!Files.isReadable(p)) {
                throw KilnException.config(where(key) + ": " + key + " " + p + " is missing or unreadable");
            }
            if (!Files.isRegularFile(p)) {
                throw KilnException.config(where(key) + ": " + key + " " + p + " is not a regular file");
            }
            return p;
        }

        /**
         * Checks every field of every section, whether or not this command uses it, so that a
         * mistake is found now, not after a twelve-hour burn-in, and not only on the day delivery is
         * switched on: the service URL, token and TLS files, every duration, every number.
         *
         * @throws KilnException 78 naming the file, line and field
         */
        public Loaded validate() {
            if (config.service() != null) {
                // without a URL in the file (--service may give one), its other fields must still be right:
                // they are checked against a stand-in URL that is never contacted
                boolean fileUrl = config.service().url() != null;
                ServiceConfig svc = service(fileUrl ? null : "https://validation.invalid");
                try {
                    Tls.context(svc);
                } catch (KilnException e) {
                    throw KilnException.config(where(fileUrl ? "url" : "service") + ": " + e.getMessage());
                }
            }
            sentRetention();
            minFreeBytes();
            runWait();
            serial();
            heartbeatInterval();
            return this;
        }

        /** {@code unit.serial}, checked as {@code --serial} is (a placeholder names no machine), or null. */
        public String serial() {
            String s = config.unit() == null ? null : config.unit().serial();
            String problem = s == null ? null : dev.kiln.core.inventory.UnitIdentity.problemWith(s);
            if (problem != null) {
                throw KilnException.config(where("unit.serial") + ": unit.serial: " + problem.replace("--serial", "the serial"));
            }
            return s;
        }

        /** The service to deliver to: {@code urlOverride} (--service) wins over the file; null when neither names one. */
        public ServiceConfig service(String urlOverride) {
            Service s = config.service() == null ? new Service(null, null, null, null, null, null, null, null, null) : config.service();
            String url = urlOverride != null ? urlOverride : s.url();
            if (url == null) {
                return null;
            }
            String token = null;
            Path tokenFile = path(s.tokenFile(), "service.tokenFile");
            if (tokenFile != null) {
                try {
                    token = Files.readString(tokenFile).strip();
                } catch (IOException e) {
                    throw KilnException.config(where("service.tokenFile") + ": cannot read token file " + tokenFile + ": " + dev.kiln.bundle.Why.of(e));
                }
            }
            java.net.URI uri;
            try {
                uri = ServiceConfig.parseUrl(url);
            } catch (KilnException e) {
                throw urlOverride != null ? e : KilnException.config(where("service.url") + ": service.url: " + e.getMessage());
            }
            return new ServiceConfig(uri, token, path(s.caFile(), "service.caFile"),
                    path(s.clientCert(), "service.clientCert"), path(s.clientKey(), "service.clientKey"),
                    duration(s.timeout(), ServiceConfig.DEFAULT_TIMEOUT, "service.timeout"),
                    duration(s.retryBaseDelay(), ServiceConfig.DEFAULT_BASE, "service.retryBaseDelay"),
                    duration(s.retryMaxDelay(), ServiceConfig.DEFAULT_MAX, "service.retryMaxDelay"));
        }

        /**
         * How often a running unit tells the service its status ({@code service.heartbeat}): 15 s by
         * default, {@code off} (or 0) for none; between 1 s and 10 min.
         */
        public Duration heartbeatInterval() {
            String text = config.service() == null ? null : config.service().heartbeat();
            if (text != null && (text.trim().equals("off") || text.trim().equals("0"))) {
                return Duration.ZERO;
            }
            Duration d = duration(text, Duration.ofSeconds(15), "service.heartbeat");
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw KilnException.config(where("service.heartbeat") + ": service.heartbeat must be off or between 1s and 10m, not " + text);
            }
            return d;
        }

        public Duration sentRetention() {
            return config.outbox() == null ? Duration.ofDays(7) : duration(config.outbox().sentRetention(), Duration.ofDays(7),
                    "outbox.sentRetention");
        }

        public long minFreeBytes() {
            Long mib = config.outbox() == null ? null : config.outbox().minFreeMiB();
            if (mib != null && mib < 0) {
                throw KilnException.config(where("outbox.minFreeMiB") + ": outbox.minFreeMiB must be >= 0");
            }
            return (mib == null ? 256L : mib) << 20;
        }

        public Duration runWait() {
            return config.delivery() == null ? Duration.ofSeconds(30) : duration(config.delivery().runWait(), Duration.ofSeconds(30),
                    "delivery.runWait");
        }
    }
}
