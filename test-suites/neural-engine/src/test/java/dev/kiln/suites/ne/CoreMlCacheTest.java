package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreMlCacheTest {
    private static Path entry(Path dir, String name, long minutesAgo) throws Exception {
        Path e = Files.createDirectories(dir.resolve(name).resolve("0"));
        Files.write(e.resolve("model.mlmodelc"), new byte[1024]);
        Files.setLastModifiedTime(dir.resolve(name), FileTime.fromMillis(System.currentTimeMillis() - minutesAgo * 60_000));
        return dir.resolve(name);
    }

    @Test
    void theEntryInUseAndTheMostRecentlyUsedOthersStayTheRestGo(@TempDir Path dir) throws Exception {
        entry(dir, "own", 600); // the oldest, but in use: kept, and marked used now
        entry(dir, "a", 5);
        entry(dir, "b", 50);
        entry(dir, "c", 500);
        CoreMlCache.Pruned p = CoreMlCache.prune(dir, "own", 3);
        assertEquals(List.of("c"), p.removed());
        assertTrue(p.failed().isEmpty());
        try (var s = Files.list(dir)) {
            assertEquals(List.of("a", "b", "own"), s.map(x -> x.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.getLastModifiedTime(dir.resolve("own")).toMillis() > System.currentTimeMillis() - 60_000, "marked used");
        assertEquals(List.of("b"), CoreMlCache.prune(dir, "a", 2).removed(), "now 'own' is the most recent other");
    }

    @Test
    void aFirstRunWithNoEntryYetKeepsRoomForIt(@TempDir Path dir) throws Exception {
        entry(dir, "a", 5);
        entry(dir, "b", 50);
        assertEquals(List.of("b"), CoreMlCache.prune(dir, "new", 2).removed(), "two entries once the new one is compiled");
        assertEquals(List.of("a"), CoreMlCache.prune(dir, "new", 1).removed());
    }

    @Test
    void aSessionThatDoesNotLoadInTimeIsGivenUpAndClosedWhenItReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch closing = new CountDownLatch(1);
        Engine.TimedOut t = assertThrows(Engine.TimedOut.class, () -> Engine.within(Duration.ofMillis(200), "Core ML session 0", () -> {
            release.await();
            return (AutoCloseable) () -> {
                closed.set(true);
                closing.countDown();
            };
        }));
        assertEquals("Core ML session 0 did not finish within 200 ms", t.getMessage());
        release.countDown();
        assertTrue(closing.await(5, TimeUnit.SECONDS) && closed.get(), "the late session is closed, not leaked");
        assertEquals("x", Engine.within(Duration.ofSeconds(5), "quick", () -> new Named("x")).name());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engine.within(Duration.ofSeconds(5), "fails", () -> {
            throw new IllegalStateException("Core ML: the model could not be compiled");
        }));
        assertEquals("Core ML: the model could not be compiled", e.getMessage(), "the framework's own words, not a wrapper's");
    }

    private record Named(String name) implements AutoCloseable {
        @Override
        public void close() {
        }
    }
}
