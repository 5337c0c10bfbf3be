package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.acceptance.AcceptanceServer;
import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.acceptance.BlobStore;
import dev.kiln.acceptance.BundleIndex;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
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

/**
 * The floor as a floor lead sees it (issue 31), in a real headless Chromium, while three real agents
 * run and heartbeat every second to a real service: one passing, one failing mid-run from an injected
 * fault, one SIGKILLed (a unit that lost power). The killed one is shown as lost contact within three
 * intervals and a margin; the failing one's failures in bold red while it runs; once the others end,
 * their sealed verdicts. Screenshots go to {@code target/screenshots/floor-*.png}.
 */
class FloorBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target/screenshots");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void theFloorShowsRunningFailingLostAndSealedUnits() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run installs them)");
        String[] serials = {"C02FLOORPASS", "C02FLOORFAIL", "C02FLOORLOST"};
        List<StateDir> states = new ArrayList<>();
        List<StationKey> keys = new ArrayList<>();
        for (String s : serials) {
            StateDir st = new StateDir(dir.resolve("station-" + s)).create();
            states.add(st);
            keys.add(KeyStore.in(st).init(false));
        }
        Path sys = dir.resolve("sys-root");
        for (var e : Map.of("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp", "sys/class/thermal/thermal_zone0/temp", "67000").entrySet()) {
            Path p = sys.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue() + "\n");
        }
        Path config = Files.writeString(dir.resolve("config.yaml"), "service:\n  heartbeat: 1s\n");
        WebDriver browser = null;
        List<Kiln> agents = new ArrayList<>();
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("index.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(dir.resolve("service")),
                     TrustStore.of(keys.get(0).publicKey(), keys.get(1).publicKey(), keys.get(2).publicKey()), ServiceOptions.plain())) {
            String base = "http://127.0.0.1:" + server.port();
            String[][] extra = {{"--duration", "14s"}, {"--duration", "14s", "--inject-fault", "cpu:crc32c@0:1/all-cores"}, {"--duration", "60s"}};
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>(List.of("run", "--state-dir", states.get(i).root().toString(), "--service", base, "--config",
                        config.toString(), "--sysfs-root", sys.toString(), "--suites", "cpu", "-P", "cpu.kernels=crc32c,sha256", "--serial", serials[i]));
                args.addAll(List.of(extra[i]));
                agents.add(Kiln.start(dir, Map.of(), Kiln.command(args.toArray(String[]::new))));
            }
            ChromeOptions o = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--window-size=1400,1200");
            browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), o);
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            Files.createDirectories(SHOTS);

            // every unit on the floor, running
            long until = System.nanoTime() + 60_000_000_000L;
            while (!(rowsOf(browser, base).keySet().containsAll(List.of(serials))) && System.nanoTime() < until) {
                Thread.sleep(500);
            }
            Map<String, WebElement> rows = rowsOf(browser, base);
            assertTrue(rows.keySet().containsAll(List.of(serials)), "all three units on the floor: " + browser.getPageSource());
            assertTrue(rows.get(serials[0]).getText().contains("running") && rows.get(serials[0]).getText().contains("67.0 °C"),
                    rows.get(serials[0]).getText());
            shot(browser, "floor-running");

            // the failing unit: its failures in bold red while it runs (the fault is in the first iterations)
            until = System.nanoTime() + 30_000_000_000L;
            WebElement failing = null;
            while (System.nanoTime() < until) {
                rows = rowsOf(browser, base);
                List<WebElement> cells = rows.get(serials[1]).findElements(By.cssSelector("td.failing"));
                if (!cells.isEmpty()) {
                    failing = cells.getFirst();
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(failing != null, "the failing unit's failures are shown: " + browser.getPageSource());
            assertEquals("700", failing.getCssValue("font-weight"), "bold");
            assertEquals("rgba(207, 34, 46, 1)", failing.getCssValue("color"), "red");
            assertTrue(failing.getText().contains("cpu"), "the first failure's words: " + failing.getText());
            shot(browser, "floor-failing");

            // a unit that loses power: SIGKILL, then lost contact within three intervals of its last heartbeat and a margin
            Kiln lost = agents.get(2);
            long killed = System.nanoTime();
            ProcessHandle.of(lost.pid()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL: no last heartbeat, no bundle
            until = killed + 10_000_000_000L;
            boolean shown = false;
            while (!shown && System.nanoTime() < until) {
                browser.get(base + "/ui/floor");
                shown = !browser.findElements(By.cssSelector("#lost tr[data-serial='" + serials[2] + "']")).isEmpty();
                if (!shown) {
                    Thread.sleep(250);
                }
            }
            double after = (System.nanoTime() - killed) / 1e9;
            assertTrue(shown, "lost contact shown within 10 s of the kill: " + browser.getPageSource());
            assertTrue(after <= 3 * 1 + 1 + 1.5, "within three 1-s intervals, one interval of the last heartbeat's age and a margin: " + after + " s");
            assertEquals("1", browser.findElement(By.id("lost-count")).getText());
            shot(browser, "floor-lost");

            // the others end: their sealed verdicts
            assertEquals(0, agents.get(0).waitFor(120).exit(), agents.get(0).toString());
            assertEquals(1, agents.get(1).waitFor(120).exit(), agents.get(1).toString());
            rows = rowsOf(browser, base);
            assertEquals("PASS", rows.get(serials[0]).findElement(By.cssSelector("span.verdict")).getText());
            assertEquals("FAIL", rows.get(serials[1]).findElement(By.cssSelector("span.verdict")).getText());
            assertTrue(!browser.findElements(By.cssSelector("#lost tr[data-serial='" + serials[2] + "']")).isEmpty(), "still lost: no bundle");
            shot(browser, "floor-sealed");
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("kiln_floor_lost_contact_units{station=\"key " + keys.get(2).keyId().substring(0, 12) + "\"} 1.0"), metrics);
        } finally {
            for (Kiln k : agents) {
                ProcessHandle.of(k.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (browser != null) {
                browser.quit();
            }
        }
    }

    /** The floor page's unit rows by serial (lost ones last, so they win), freshly loaded. */
    private static Map<String, WebElement> rowsOf(WebDriver browser, String base) {
        browser.get(base + "/ui/floor");
        Map<String, WebElement> rows = new java.util.LinkedHashMap<>();
        for (WebElement r : browser.findElements(By.cssSelector("tr.unit"))) {
            rows.put(r.getDomAttribute("data-serial"), r);
        }
        return rows;
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
