package dev.kiln.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.core.Durations;
import dev.kiln.core.KilnException;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.upload.ServiceConfig;
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
 * outbox:
 *   sentRetention: 7d                   # keep delivered bundles this long (receipts forever)
 *   minFreeMiB: 256                     # refuse to start a run with less free space
 * delivery:
 *   runWait: 30s                        # how long `kiln run` tries to deliver before leaving it pending
 * </pre>
 */
public record KilnConfig(@JsonProperty("service") Service service, @JsonProperty("outbox") OutboxSettings outbox,
                         @JsonProperty("delivery") Delivery delivery) {

    public record Service(@JsonProperty("url") String url, @JsonProperty("tokenFile") String tokenFile,
                          @JsonProperty("caFile") String caFile, @JsonProperty("clientCert") String clientCert,
                          @JsonProperty("clientKey") String clientKey, @JsonProperty("timeout") String timeout,
                          @JsonProperty("retryBaseDelay") String retryBaseDelay, @JsonProperty("retryMaxDelay") String retryMaxDelay) {
    }

    public record OutboxSettings(@JsonProperty("sentRetention") String sentRetention, @JsonProperty("minFreeMiB") Long minFreeMiB) {
    }

    public record Delivery(@JsonProperty("runWait") String runWait) {
    }

    public static KilnConfig empty() {
        return new KilnConfig(null, null, null);
    }

    /** The explicit file (which must exist), else the state directory's config.yaml if present. */
    public static Loaded load(Path explicit, StateDir state) {
        Path file = explicit != null ? explicit : state.root().resolve("config.yaml");
        if (explicit == null && !Files.exists(file)) {
            return new Loaded(empty(), null);
        }
        if (!Files.isRegularFile(file)) {
            throw KilnException.config("config file " + file + " does not exist");
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            String text = Files.readString(file);
            KilnConfig c = text.isBlank() ? empty() : yaml.readValue(text, KilnConfig.class);
            return new Loaded(c == null ? empty() : c, file);
        } catch (UnrecognizedPropertyException e) {
            throw KilnException.config("config " + file + ": unknown key '" + e.getPropertyName() + "'");
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            throw KilnException.config("config " + file + ": " + (m == null ? "malformed" : m.split("\n")[0])
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (IOException e) {
            throw KilnException.config("cannot read config " + file + ": " + e.getMessage());
        }
    }

    /** A configuration and the file it came from (null: none). */
    public record Loaded(KilnConfig config, Path file) {
        private String where() {
            return file == null ? "the command line" : "config " + file;
        }

        private Duration duration(String text, Duration fallback, String key) {
            if (text == null) {
                return fallback;
            }
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw KilnException.config(where() + ": " + key + ": " + e.getMessage());
            }
        }

        private Path path(String text, String key) {
            if (text == null) {
                return null;
            }
            Path p = Path.of(text);
            if (!Files.isReadable(p)) {
                throw KilnException.config(where() + ": " + key + " " + p + " is missing or unreadable");
            }
            return p;
        }

        /** The service to deliver to: {@code urlOverride} (--service) wins over the file; null when neither names one. */
        public ServiceConfig service(String urlOverride) {
            Service s = config.service() == null ? new Service(null, null, null, null, null, null, null, null) : config.service();
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
                    throw KilnException.config(where() + ": cannot read token file " + tokenFile + ": " + e.getMessage());
                }
            }
            return new ServiceConfig(ServiceConfig.parseUrl(url), token, path(s.caFile(), "service.caFile"),
                    path(s.clientCert(), "service.clientCert"), path(s.clientKey(), "service.clientKey"),
                    duration(s.timeout(), ServiceConfig.DEFAULT_TIMEOUT, "service.timeout"),
                    duration(s.retryBaseDelay(), ServiceConfig.DEFAULT_BASE, "service.retryBaseDelay"),
                    duration(s.retryMaxDelay(), ServiceConfig.DEFAULT_MAX, "service.retryMaxDelay"));
        }

        public Duration sentRetention() {
            return config.outbox() == null ? Duration.ofDays(7) : duration(config.outbox().sentRetention(), Duration.ofDays(7),
                    "outbox.sentRetention");
        }

        public long minFreeBytes() {
            Long mib = config.outbox() == null ? null : config.outbox().minFreeMiB();
            if (mib != null && mib < 0) {
                throw KilnException.config(where() + ": outbox.minFreeMiB must be >= 0");
            }
            return (mib == null ? 256L : mib) << 20;
        }

        public Duration runWait() {
            return config.delivery() == null ? Duration.ofSeconds(30) : duration(config.delivery().runWait(), Duration.ofSeconds(30),
                    "delivery.runWait");
        }
    }
}
