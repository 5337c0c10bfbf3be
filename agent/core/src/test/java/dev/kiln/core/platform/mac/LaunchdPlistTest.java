package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped LaunchDaemon, read as a property list: only keys launchd.plist(5) documents, and a
 * burn-in that launchd does not throttle (ProcessType Interactive, I/O not deprioritised).
 */
class LaunchdPlistTest {
    /** The keys launchd.plist(5) documents (macOS 14/15 man page), those this job may use. */
    private static final Set<String> DOCUMENTED = Set.of("Label", "Program", "ProgramArguments", "RunAtLoad", "KeepAlive",
            "StandardOutPath", "StandardErrorPath", "StandardInPath", "ExitTimeOut", "ProcessType", "LowPriorityIO",
            "LowPriorityBackgroundIO", "Nice", "EnvironmentVariables", "WorkingDirectory", "UserName", "GroupName",
            "ThrottleInterval", "AbandonProcessGroup", "SoftResourceLimits", "HardResourceLimits", "Umask");

    @Test
    @SuppressWarnings("unchecked")
    void theBurnInDaemonIsNotThrottledByItsOwnDefinition() throws Exception {
        Path plist = Path.of("../../packaging/dev.kiln.burnin.plist");
        Object root = Plist.parse(Files.readAllBytes(plist));
        Map<String, Object> job = (Map<String, Object>) root;
        for (String key : job.keySet()) {
            assertTrue(DOCUMENTED.contains(key), "launchd.plist(5) does not document " + key);
        }
        assertEquals("dev.kiln.burnin", job.get("Label"));
        assertEquals("Interactive", job.get("ProcessType"), "unspecified or Standard means light resource limits: throttled");
        assertEquals(Boolean.FALSE, job.get("LowPriorityIO"));
        List<Object> args = (List<Object>) job.get("ProgramArguments");
        assertEquals(List.of("/opt/kiln/kiln", "run", "--profile", "burn-in", "--output", "jsonl"), args);
    }
}
