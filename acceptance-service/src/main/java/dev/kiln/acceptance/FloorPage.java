package dev.kiln.acceptance;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /ui/floor}: every unit heard from in the last hour, grouped by station, lost contact first.
 * Each row: serial, profile, stage and suites, the run's progress, the hottest temperature and the
 * power, failures so far (bold red above 0), and the time since its last heartbeat; a unit whose run
 * is sealed shows its sealed verdict. The page reloads itself every 15 s (a meta refresh: no script,
 * the CSP unchanged).
 */
final class FloorPage {
    /** How far back the floor looks. */
    static final long WINDOW_MS = 3_600_000L;
    /** Seconds between the page's own reloads. */
    static final int REFRESH_S = 15;

    private final FloorIndex floor;

    FloorPage(FloorIndex floor) {
        this.floor = floor;
    }

    Map<String, Object> scope(long nowMs) throws SQLException {
        List<FloorIndex.Unit> units = floor.floor(nowMs - WINDOW_MS);
        List<Map<String, Object>> lost = new ArrayList<>();
        Map<String, List<Map<String, Object>>> byStation = new LinkedHashMap<>();
        int running = 0;
        int failing = 0;
        for (FloorIndex.Unit u : units) {
            Map<String, Object> row = row(u, nowMs);
            if (u.lostContact(nowMs)) {
                lost.add(row);
            } else {
                byStation.computeIfAbsent(u.beat().station(), k -> new ArrayList<>()).add(row);
            }
            running += u.running(nowMs) ? 1 : 0;
            failing += u.beat().failures() > 0 && u.sealedVerdict() == null ? 1 : 0;
        }
        List<Map<String, Object>> stations = new ArrayList<>();
        byStation.forEach((name, rows) -> stations.add(Map.of("station", name, "units", rows, "count", rows.size())));
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("title", "Floor");
        scope.put("refresh", REFRESH_S);
        scope.put("lost", lost);
        scope.put("hasLost", !lost.isEmpty());
        scope.put("lostCount", lost.size());
        scope.put("stations", stations);
        scope.put("none", units.isEmpty());
        scope.put("running", running);
        scope.put("failing", failing);
        scope.put("total", units.size());
        return scope;
    }

    private static Map<String, Object> row(FloorIndex.Unit u, long nowMs) {
        FloorIndex.Beat b = u.beat();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", b.serial());
        m.put("station", b.station());
        m.put("href", "/ui/units/" + Dashboard.enc(b.serial()));
        m.put("runId", b.runId());
        m.put("profile", b.profile() == null ? "" : b.profile());
        m.put("stage", b.stage() == null ? "" : b.stage());
        m.put("suites", b.suites() == null ? "" : b.suites());
        String state;
        String css;
        if (u.sealedVerdict() != null) {
            state = u.sealedVerdict();
            css = u.sealedVerdict();
            m.put("sealed", true);
            m.put("runHref", "/ui/runs/" + b.runId());
        } else if (u.lostContact(nowMs)) {
            state = "LOST CONTACT";
            css = "LOST";
        } else if (b.state().equals("ended")) {
            state = "ended " + (b.verdict() == null ? "" : b.verdict()) + ", bundle not yet received";
            css = "ENDED";
        } else {
            state = "running";
            css = "RUNNING";
        }
        m.put("state", state);
        m.put("stateCss", css);
        int pct = 0;
        if (b.plannedS() != null && b.plannedS() > 0 && b.elapsedS() != null) {
            pct = (int) Math.max(0, Math.min(100, Math.round(b.elapsedS() / b.plannedS() * 100)));
        }
        if (u.sealedVerdict() != null || b.state().equals("ended")) {
            pct = 100;
        }
        m.put("progress", pct);
        m.put("elapsed", b.elapsedS() == null ? "—" : Dashboard.duration(b.elapsedS()));
        m.put("planned", b.plannedS() == null ? "—" : Dashboard.duration(b.plannedS()));
        m.put("hottest", b.hottestC() == null ? "—" : String.format(Locale.ROOT, "%.1f °C", b.hottestC()));
        m.put("watts", b.watts() == null ? "—" : String.format(Locale.ROOT, "%.1f W", b.watts()));
        m.put("failures", b.failures());
        m.put("failing", b.failures() > 0);
        m.put("firstFailure", b.firstFailure() == null ? "" : b.firstFailure());
        m.put("silent", Dashboard.duration(Math.max(0, nowMs - b.receivedMs()) / 1000.0));
        m.put("samplerDown", Boolean.FALSE.equals(b.samplerAlive()));
        m.put("outbox", b.outboxDepth() == null ? "" : b.outboxDepth() > 0 ? b.outboxDepth() + " in outbox" : "");
        return m;
    }
}
