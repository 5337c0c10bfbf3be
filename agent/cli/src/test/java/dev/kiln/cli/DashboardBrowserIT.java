package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.acceptance.AcceptanceServer;
import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.acceptance.BlobStore;
import dev.kiln.acceptance.BundleIndex;
import dev.kiln.core.state.Json;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard as a person sees it, in a real headless browser (Debian's chromium, driven by
 * Selenium through chromium-driver; {@code .ci/run} installs both), against a service holding the
 * bundles of three real {@code kiln run} processes: a PASS, a FAIL from an injected fault, and an
 * INCOMPLETE (a named suite with no device). A screenshot of each page goes to
 * {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "dashboard-reader-token-0123";
    private static final Path SHOTS = Path.of("target/screenshots");

    @TempDir
    static Path dir;

    private BundleIndex index;
    private AcceptanceServer server;
    private WebDriver browser;
    private String base;
    /** verdict -> {runId, summary.json, samples.csv} */
    private final Map<String, Object[]> runs = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        StateDir state = new StateDir(dir.resolve("station")).create();
        StationKey key = KeyStore.in(state).init(false);
        index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
        server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("service")),
                TrustStore.of(key.publicKey()), ServiceOptions.plain().withToken(TOKEN));
        base = "http://127.0.0.1:" + server.port();
        Path sys = sysfs();
        // one unit's three runs: its serial given (a fixture root has no machine id, and runs without a serial are each their own unit)
        List<String> common = List.of("--state-dir", state.root().toString(), "--no-upload", "--sysfs-root", sys.toString(), "-P",
                "cpu.kernels=crc32c,sha256", "--serial", "C02XK0DASH");
        run(state, "PASS", 0, common, "--suites", "cpu", "--duration", "4s");
        run(state, "FAIL", 1, common, "--suites", "cpu", "--inject-fault", "cpu:crc32c@0:1/all-cores", "--duration", "4s");
        run(state, "INCOMPLETE", 2, common, "--suites", "cpu,gpu", "--duration", "8s");
        ChromeOptions o = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=1280,1600");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (index != null) {
            index.close();
        }
    }

    /** A /sys with two thermal zones, a fan and two CPU clocks, so the run's telemetry has something to chart. */
    private Path sysfs() throws Exception {
        Path root = dir.resolve("sys-root");
        Map<String, String> files = Map.of(
                "sys/class/thermal/thermal_zone0/type", "x86_pkg_temp", "sys/class/thermal/thermal_zone0/temp", "61000",
                "sys/class/thermal/thermal_zone1/type", "acpitz", "sys/class/thermal/thermal_zone1/temp", "45000",
                "sys/class/hwmon/hwmon0/name", "nct6775", "sys/class/hwmon/hwmon0/fan1_input", "1800",
                "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2900000", "sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq", "3100000");
        for (var e : files.entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue() + "\n");
        }
        return root;
    }

    /** A real run in its own process; its sealed bundle is then uploaded to the service as a station would. */
    private void run(StateDir state, String verdict, int exit, List<String> common, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(common);
        args.addAll(List.of(more));
        Kiln k = Kiln.start(dir, Map.of(), Kiln.command(args.toArray(String[]::new))).waitFor(180);
        assertEquals(exit, k.exit(), verdict + ": " + k);
        Path bundle;
        try (var files = Files.list(state.pending())) {
            bundle = files.filter(p -> p.toString().endsWith(".kiln.zip")).filter(p -> runs.values().stream().noneMatch(r -> p.equals(r[3])))
                    .findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(bundle);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(b))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        JsonNode manifest = Json.MAPPER.readTree(entries.get("manifest.json"));
        assertEquals(verdict, manifest.path("verdict").asText());
        String runId = manifest.path("runId").asText();
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + runId))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(b)).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE)
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)) + ":")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        runs.put(verdict, new Object[] {runId, Json.MAPPER.readTree(entries.get("results/summary.json")),
                new String(entries.get("telemetry/samples.csv"), StandardCharsets.UTF_8), bundle});
    }

    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private void login() {
        browser.get(base + "/ui/units");
        if (browser.getCurrentUrl().contains("/ui/login")) {
            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.id("login")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches(".*/ui/units$"));
        }
    }

    private static String colour(String verdict) {
        return switch (verdict) {
            case "PASS" -> "rgba(26, 127, 55, 1)";
            case "FAIL" -> "rgba(207, 34, 46, 1)";
            default -> "rgba(191, 135, 0, 1)";
        };
    }

    /** Chart series a person should see for a trace: channels of each kind with at least one value. */
    private static Map<String, Integer> expectedSeries(String csv) {
        List<String> lines = csv.lines().toList();
        String[] header = lines.get(0).split(",", -1);
        Map<String, Integer> out = new LinkedHashMap<>();
        for (int i = 1; i < header.length; i++) {
            String c = header[i];
            String group = c.endsWith("_celsius") ? "Temperatures" : c.endsWith("_freq_hertz") && !c.endsWith("_max_freq_hertz") ? "Clocks"
                    : c.endsWith("_watts") ? "Power" : c.endsWith("_rpm") ? "Fans" : null;
            final int col = i;
            if (group != null && lines.stream().skip(1).map(l -> l.split(",", -1)).anyMatch(r -> r.length > col && !r[col].isEmpty())) {
                out.merge(group, 1, Integer::sum);
            }
        }
        return out;
    }

    @Test
    @Timeout(300)
    void aPersonSeesEachRunAsItHappened() throws Exception {
        // without a credential: the login page; a wrong token says so
        browser.manage().deleteAllCookies();
        browser.get(base + "/ui/units");
        assertTrue(browser.getCurrentUrl().contains("/ui/login"), browser.getCurrentUrl());
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.id("login")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(By.id("login-error")));
        assertTrue(browser.findElement(By.id("login-error")).getText().contains("not a reader's"));
        shot("login");
        login();
        assertTrue(browser.getCurrentUrl().endsWith("/ui/units"), browser.getCurrentUrl());

        // units: the one unit these runs were on, its latest verdict in its colour
        WebElement latest = browser.findElement(By.cssSelector("#units tbody tr .verdict"));
        assertEquals("INCOMPLETE", latest.getText());
        assertEquals(colour("INCOMPLETE"), latest.getCssValue("background-color"));
        assertEquals("1", browser.findElement(By.id("unit-count")).getText());
        shot("units");

        // the unit: three runs, newest first, each verdict in its colour, each bundle downloadable
        browser.findElement(By.cssSelector("#units tbody tr td.serial a")).click();
        List<WebElement> rows = browser.findElements(By.cssSelector("#runs tbody tr"));
        assertEquals(3, rows.size());
        List<String> verdicts = rows.stream().map(r -> r.findElement(By.cssSelector(".verdict")).getText()).toList();
        assertEquals(List.of("INCOMPLETE", "FAIL", "PASS"), verdicts);
        for (WebElement r : rows) {
            WebElement v = r.findElement(By.cssSelector(".verdict"));
            assertEquals(colour(v.getText()), v.getCssValue("background-color"), v.getText());
        }
        shot("unit");

        for (var e : runs.entrySet()) {
            String verdict = e.getKey();
            String runId = (String) e.getValue()[0];
            JsonNode summary = (JsonNode) e.getValue()[1];
            String csv = (String) e.getValue()[2];
            browser.get(base + "/ui/runs/" + runId);
            WebElement v = browser.findElement(By.id("verdict"));
            assertEquals(verdict, v.getText());
            assertEquals(colour(verdict), v.getCssValue("background-color"));
            // the summary table: one row per suite of the run, with its outcome
            List<WebElement> suiteRows = browser.findElements(By.cssSelector("#suites tbody tr"));
            assertEquals(summary.path("suites").size(), suiteRows.size());
            for (int i = 0; i < suiteRows.size(); i++) {
                assertEquals(summary.path("suites").get(i).path("outcome").asText(), suiteRows.get(i).findElement(By.cssSelector(".verdict")).getText());
            }
            // the charts: one per kind of channel in the trace, each with as many series as it has channels
            Map<String, Integer> expected = expectedSeries(csv);
            assertTrue(expected.containsKey("Temperatures") && expected.containsKey("Clocks") && expected.containsKey("Fans"), csv);
            Map<String, Integer> drawn = new LinkedHashMap<>();
            for (WebElement fig : browser.findElements(By.cssSelector("figure.chart"))) {
                List<WebElement> paths = fig.findElements(By.cssSelector("svg.chart-svg g.series path"));
                int series = paths.size();
                for (WebElement path : paths) {
                    // drawn, not an empty path: the browser's own measure of the line
                    double length = ((Number) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                            "return arguments[0].getTotalLength()", path)).doubleValue();
                    assertTrue(length > 100, "a line across the chart: " + length);
                }
                assertTrue(fig.findElement(By.cssSelector("svg.chart-svg")).getSize().getHeight() > 100, "drawn at a readable size");
                drawn.put(fig.getAttribute("data-title"), series);
            }
            assertEquals(expected, drawn, verdict + ": " + csv.lines().findFirst().orElse(""));
            assertTrue(browser.findElements(By.cssSelector("g.stage")).size() >= 1, "the suites' times are marked");
            if (verdict.equals("FAIL")) {
                String sentence = summary.path("suites").get(0).path("failures").get(0).path("message").asText();
                assertTrue(sentence.contains("crc32c gave a wrong result on cpu 0"), sentence);
                List<String> seen = browser.findElements(By.cssSelector("#failures .sentence")).stream().map(WebElement::getText).toList();
                assertTrue(seen.contains(sentence), "the failure in the words the run wrote: " + seen);
                assertTrue(browser.findElement(By.cssSelector("#failures .location")).getText().contains("cpu 0"));
            }
            if (verdict.equals("INCOMPLETE")) {
                assertTrue(browser.getPageSource().contains("no OpenCL device"), "why the GPU suite did not run");
            }
            shot("run-" + verdict.toLowerCase());
        }

        // the line: today's runs and the week's symptom
        browser.get(base + "/ui/line");
        List<WebElement> days = browser.findElements(By.cssSelector("#yield tbody tr"));
        assertEquals(1, days.size());
        assertEquals("3", days.get(0).findElements(By.cssSelector("td")).get(1).getText());
        assertTrue(browser.findElement(By.id("symptoms")).getText().contains("cpu-crc32c-miscompare"));
        shot("line");
    }
}
