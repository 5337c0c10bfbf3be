package dev.kiln.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kiln.api.Availability;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkPlan;
import dev.kiln.core.SuiteRegistry;
import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.platform.PlatformProbe;
import dev.kiln.core.platform.ThreadPlacer;
import dev.kiln.core.state.Json;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.telemetry.TelemetrySampler;
import dev.kiln.core.telemetry.TelemetrySource;
import dev.kiln.core.upload.ServiceConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kiln doctor [--json]}: every capability Kiln uses on this machine, each OK, DEGRADED or
 * MISSING with the reason and the fix. Writes nothing (the service check is a read that stores
 * nothing). Its JSON is the checklist the first Mac of a new line runs; checks of macOS behaviour not
 * yet seen on real Apple Silicon say so ({@code seenOnAppleSilicon: false}, docs/on-hardware-checklist.md).
 * Exit 0 when nothing is MISSING, 2 when something is (this machine cannot run everything).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check every capability Kiln uses here: OK, DEGRADED or MISSING, with the reason and the fix. Exit 2 when something is missing.")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (default as for run).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: <state-dir>/config.yaml if present).")
    Path config;

    @Option(names = "--sysfs-root", hidden = true, paramLabel = "DIR", description = "Root of /sys for telemetry (tests).")
    Path sysfsRoot;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    enum Status { OK, DEGRADED, MISSING }

    /**
     * One check.
     *
     * @param seenOnAppleSilicon for a macOS behaviour: whether it has been seen on a real Mac (null: not macOS-specific)
     */
    record Check(String id, Status status, String summary, String fix, Boolean seenOnAppleSilicon) {
    }

    @Override
    public Integer call() {
        boolean mac = PlatformProbe.current().os() == PlatformProbe.Os.MACOS;
        StateDir state = StateDir.resolve(stateDir);
        List<Check> checks = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        checks.add(root ? new Check("privileges", Status.OK, "running as root", "", null)
                : new Check("privileges", Status.DEGRADED, "not root: " + (mac ? "powermetrics (clusters, power, thermal pressure) needs root"
                : "large mlock and some sensors need root"), "run as root, as the burn-in service does", null));
        checks.add(placement(mac));
        checks.addAll(telemetry(mac));
        if (mac) {
            boolean pm = Files.isExecutable(Path.of(dev.kiln.core.platform.ChildProcess.POWERMETRICS));
            checks.add(new Check("powermetrics", pm && root ? Status.OK : Status.MISSING, pm ? (root ? "/usr/bin/powermetrics, as root"
                    : "/usr/bin/powermetrics needs root") : "/usr/bin/powermetrics not found", pm ? "run as root" : "install macOS's powermetrics", false));
        }
        checks.addAll(suites());
        // the configuration, read once for the disk and service checks
        KilnConfig.Loaded cfg;
        String cfgProblem = null;
        try {
            cfg = KilnConfig.load(config, state);
        } catch (RuntimeException e) {
            cfg = null;
            cfgProblem = e.getMessage();
        }
        checks.add(cfg == null ? new Check("disk", Status.MISSING, "the configuration does not load: " + cfgProblem, "kiln config check", null)
                : disk(state, cfg.minFreeBytes()));
        checks.add(key(state));
        checks.add(cfg == null ? new Check("service", Status.MISSING, "the configuration does not load: " + cfgProblem, "kiln config check", null)
                : service(cfg));
        checks.add(clock(mac));
        long missing = checks.stream().filter(c -> c.status() == Status.MISSING).count();
        long degraded = checks.stream().filter(c -> c.status() == Status.DEGRADED).count();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kiln", Main.version());
            m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
            m.put("checks", checks);
            m.put("ok", checks.size() - missing - degraded);
            m.put("degraded", degraded);
            m.put("missing", missing);
            try {
                parent.out.println(Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (Check c : checks) {
                parent.out.printf("%-8s %-28s %s%s%n", c.status(), c.id(), c.summary(), c.fix().isEmpty() || c.status() == Status.OK ? ""
                        : " — fix: " + c.fix());
            }
            parent.out.printf("%d ok, %d degraded, %d missing%n", checks.size() - missing - degraded, degraded, missing);
        }
        return missing > 0 ? 2 : 0;
    }

    private static Check placement(boolean mac) {
        ThreadPlacer placer = PlatformProbe.current().threadPlacer();
        List<SuiteEnvironment.LogicalCpu> cpus = PlatformProbe.current().cpus();
        if (placer.method().equals("none")) {
            return new Check("thread-placement", Status.MISSING, "no way to place worker threads here: per-core checks cannot name a core",
                    "run on Linux or macOS", null);
        }
        // try it on a thread of our own, on the last CPU this process may use
        SuiteEnvironment.LogicalCpu target = cpus.get(cpus.size() - 1);
        ThreadPlacer.Result[] r = new ThreadPlacer.Result[1];
        int[] observed = {-1};
        Thread t = Thread.ofPlatform().start(() -> {
            r[0] = placer.place(WorkPlan.Placement.on(target));
            observed[0] = placer.currentCpu();
        });
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (r[0] == null) {
            return new Check("thread-placement", Status.MISSING, "placing a thread did not return", "", null);
        }
        if (r[0].pinned() && observed[0] == target.id()) {
            return new Check("thread-placement", Status.OK, placer.method() + ": pinned a thread to cpu " + target.id() + " and saw it run there ("
                    + cpus.size() + " CPUs, clusters " + cpus.stream().map(SuiteEnvironment.LogicalCpu::cluster).distinct().toList() + ")", "", null);
        }
        return new Check("thread-placement", Status.DEGRADED, placer.method() + ": " + r[0].description()
                + (mac ? " (clusters " + cpus.stream().map(SuiteEnvironment.LogicalCpu::cluster).distinct().toList() + ")" : ""),
                mac ? "none: macOS cannot pin on Apple Silicon; Kiln steers by QoS (docs/on-hardware-checklist.md)" : "allow sched_setaffinity (a container's cpuset?)",
                mac ? false : null);
    }

    /** Each family of telemetry channels: found and reading, or missing with why. */
    private List<Check> telemetry(boolean mac) {
        List<String> warnings = new ArrayList<>();
        List<TelemetrySource> sources = TelemetrySampler.forThisPlatform(sysfsRoot == null ? Path.of("/") : sysfsRoot, Clock.systemUTC(),
                warnings::add);
        Map<String, Double> sample = new LinkedHashMap<>();
        List<String> channels = new ArrayList<>();
        for (TelemetrySource s : sources) {
            channels.addAll(s.channels());
            try {
                sample.putAll(s.sample());
            } catch (RuntimeException e) {
                warnings.add(s.name() + ": " + e.getMessage());
            }
            if (s instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
        String[][] families = {
            {"temperatures", "_celsius", mac ? "the SMC's die temperatures (smc_T*) and the SoC's IOHID sensors (hid_*) need no root: none "
                    + "means neither could be read (the run's warnings say why; docs/on-hardware-checklist.md rows 16, 20)"
                    : "expose /sys/class/thermal or hwmon (a VM usually has none)"},
            {"clocks", "_freq_hertz", mac ? "IOReport's residencies without root, powermetrics' as root (docs/on-hardware-checklist.md row 19)"
                    : "expose cpufreq (/sys/devices/system/cpu/cpu*/cpufreq)"},
            {"power", "_watts", mac ? "the SMC's PSTR and IOReport's Energy Model without root, powermetrics' as root (checklist rows 16, 19)"
                    : "expose powercap RAPL (/sys/class/powercap) to root"},
            {"fans", "_rpm", mac ? "the SMC's F<n>Ac keys (smc_F0Ac_rpm): a Mac with no fan (MacBook Air) has none" : "expose hwmon fan inputs"},
            {"memory-errors", "_errors_total", mac ? "none: macOS has no EDAC counters" : "load the EDAC driver for this memory controller"},
            {"thermal-pressure", "_pressure_level", "macOS's thermal state (NSProcessInfo) without root, powermetrics' level as root "
                    + "(docs/on-hardware-checklist.md row 18)"}};
        List<Check> out = new ArrayList<>();
        for (String[] f : families) {
            if (!mac && f[0].equals("thermal-pressure")) {
                continue; // a macOS level: Linux has none to miss
            }
            List<String> have = channels.stream().filter(c -> c.endsWith(f[1]) && !c.endsWith("_max_freq_hertz")).toList();
            long reading = have.stream().filter(c -> sample.get(c) != null && Double.isFinite(sample.get(c))).count();
            String id = "telemetry-" + f[0];
            if (have.isEmpty()) {
                out.add(new Check(id, Status.MISSING, "no " + f[0] + " channel on this machine", f[2], mac ? false : null));
            } else if (reading == 0) {
                out.add(new Check(id, Status.DEGRADED, have.size() + " channel(s), none reading now: " + String.join(", ", have.subList(0,
                        Math.min(3, have.size()))), f[2], mac ? false : null));
            } else {
                out.add(new Check(id, Status.OK, reading + "/" + have.size() + " channel(s) reading, e.g. " + have.get(0), "", mac ? false : null));
            }
        }
        return out;
    }

    /** Each suite: can it run here, and why not (OpenCL platforms and devices, ONNX Runtime's providers, …). */
    private static List<Check> suites() {
        SuiteRegistry registry = SuiteRegistry.load();
        SuiteEnvironment env = PlatformProbe.current().environment();
        List<Check> out = new ArrayList<>();
        for (String id : registry.ids()) {
            if (id.startsWith("selftest")) {
                continue; // the agent's own test suites, not a capability of the machine
            }
            Suite s = registry.create(id);
            try {
                Availability a = s.availability(env);
                // maturity from the suite itself: null (nothing to say) where it has run on this kind of machine
                Boolean verified = s.verifiedOn(env) ? null : false;
                if (!a.available()) {
                    out.add(new Check("suite-" + id, Status.MISSING, a.reason(), fixFor(id), null));
                    continue;
                }
                // what the suite finds here (GPU devices of its type, the Neural Engine's providers), by the checks a run makes
                try {
                    List<String> found = s.findHere(env);
                    out.add(new Check("suite-" + id, Status.OK, found.isEmpty() ? "can run here" : String.join("; ", found), "", verified));
                } catch (dev.kiln.api.SuiteUnavailableException e) {
                    out.add(new Check("suite-" + id, Status.MISSING, e.getMessage(), fixFor(id), verified));
                }
            } catch (RuntimeException | LinkageError e) {
                out.add(new Check("suite-" + id, Status.MISSING, "its availability check failed: " + dev.kiln.bundle.Why.of(e), fixFor(id), null));
            }
        }
        return out;
    }

    private static String fixFor(String suite) {
        return switch (suite) {
            case "gpu" -> PlatformProbe.current().os() == PlatformProbe.Os.MACOS
                    ? "Metal: a Mac with a GPU (a virtual machine has none without passthrough); from a daemon, run kiln doctor as that daemon's "
                    + "user; -P gpu.api=opencl tries Apple's OpenCL instead"
                    : "a GPU with its OpenCL driver (Linux: the vendor's ICD); -P gpu.device-type=all tests any OpenCL device";
            case "neural-engine" -> "a Mac with Apple Silicon (ONNX Runtime's Core ML provider); if Core ML's session does not load, clear "
                    + "<state-dir>/cache/neural-engine/coreml and run again";
            default -> "see kiln suites";
        };
    }

    private static Check disk(StateDir state, long min) {
        Path p = state.root();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            long free = Files.getFileStore(p).getUsableSpace();
            String s = String.format(Locale.ROOT, "%.1f GiB free at %s (runs need %d MiB)", free / (double) (1L << 30), state.root(), min >> 20);
            return free >= min ? new Check("disk", Status.OK, s, "", null) : new Check("disk", Status.MISSING, s, "free space, or lower outbox.minFreeMiB", null);
        } catch (java.io.IOException | RuntimeException e) {
            return new Check("disk", Status.MISSING, "cannot read free space at " + state.root() + ": " + e.getMessage(), "check --state-dir", null);
        }
    }

    private static Check key(StateDir state) {
        KeyStore keys = KeyStore.in(state);
        if (!keys.exists()) {
            return new Check("station-key", Status.MISSING, "no station key in " + state.root(), "kiln keys init (the first run makes one too)", null);
        }
        try {
            return new Check("station-key", Status.OK, "key " + keys.load().keyId().substring(0, 16) + "… in " + keys.privatePath(), "", null);
        } catch (RuntimeException e) {
            return new Check("station-key", Status.MISSING, "the station key does not load: " + e.getMessage(), "kiln keys init --force", null);
        }
    }

    /** The configured service: reachable, and does it accept our credentials? A read that stores nothing. */
    private static Check service(KilnConfig.Loaded cfg) {
        ServiceConfig svc;
        try {
            svc = cfg.service(null);
        } catch (RuntimeException e) {
            return new Check("service", Status.MISSING, "the service settings are not valid: " + e.getMessage(), "kiln config check", null);
        }
        if (svc == null) {
            return new Check("service", Status.DEGRADED, "no acceptance service configured: bundles stay in the outbox",
                    "set service.url in the config file", null);
        }
        try {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER);
            javax.net.ssl.SSLContext tls = dev.kiln.core.upload.Tls.context(svc);
            if (tls != null) {
                b.sslContext(tls);
            }
            HttpClient http = b.build();
            URI base = svc.url();
            String root = base.toString().endsWith("/") ? base.toString() : base + "/";
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(root + "v1/bundles/00000000-0000-7000-8000-000000000000"))
                    .timeout(Duration.ofSeconds(10)).GET();
            if (svc.token() != null) {
                r.header("Authorization", "Bearer " + svc.token());
            }
            HttpResponse<String> a = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return switch (a.statusCode()) {
                // 404: a reader found no such run; 403: a station is known and may not read; either way our credential was accepted
                case 404, 403 -> new Check("service", Status.OK, base + " answers and accepts our credentials (HTTP " + a.statusCode() + ")", "", null);
                case 401 -> new Check("service", Status.MISSING, base + " refuses our credentials (401)", "set service.tokenFile to this station's token", null);
                default -> new Check("service", Status.DEGRADED, base + " answered " + a.statusCode() + " to a dry request", "check the URL", null);
            };
        } catch (java.io.IOException e) {
            return new Check("service", Status.MISSING, svc.url() + " cannot be reached: " + dev.kiln.bundle.Why.of(e),
                    "check the URL, the network and the CA", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check("service", Status.MISSING, "interrupted", "", null);
        } catch (RuntimeException e) {
            return new Check("service", Status.MISSING, "cannot set up the connection: " + dev.kiln.bundle.Why.of(e), "kiln config check", null);
        }
    }

    /** Clock sync: bundles and receipts carry times that a factory compares across stations. */
    private static Check clock(boolean mac) {
        if (mac) {
            return new Check("clock-sync", Status.DEGRADED, "not checked on macOS yet", "sudo sntp -sS time.apple.com, or the factory's NTP", false);
        }
        Path timedatectl = Path.of("/usr/bin/timedatectl");
        if (!Files.isExecutable(timedatectl)) {
            return Files.exists(Path.of("/run/systemd/timesync/synchronized"))
                    ? new Check("clock-sync", Status.OK, "systemd-timesyncd says synchronized", "", null)
                    : new Check("clock-sync", Status.DEGRADED, "cannot tell whether the clock is synchronized (no timedatectl)",
                    "run an NTP client (chrony, systemd-timesyncd)", null);
        }
        String v = dev.kiln.core.platform.ChildProcess.run(Duration.ofSeconds(5), List.of(timedatectl.toString(), "show", "-p", "NTPSynchronized",
                "--value"));
        if (v == null) {
            return new Check("clock-sync", Status.DEGRADED, "timedatectl did not answer (no systemd here?)", "run an NTP client", null);
        }
        return v.strip().equals("yes") ? new Check("clock-sync", Status.OK, "NTP synchronized (timedatectl)", "", null)
                : new Check("clock-sync", Status.DEGRADED, "the clock is not NTP-synchronized (timedatectl: " + v.strip() + ")",
                "enable NTP: timedatectl set-ntp true", null);
    }
}
