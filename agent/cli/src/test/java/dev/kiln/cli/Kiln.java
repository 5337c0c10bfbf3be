package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent as its own process, with the test class path (the self-test suites on it): the exit
 * status the OS reports, and stdout and stderr as files, so nothing the child writes is lost.
 */
final class Kiln {
    private final Process process;
    private final Path out;
    private final Path err;

    private Kiln(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** The java command line that runs {@code dev.kiln.cli.Main} with the test class path. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.kiln.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Kiln start(Path dir, Map<String, String> env, List<String> command) throws IOException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // as the launchers do (packaging/signal-chaining.sh): the JDK's signal chaining, so LLVM's handler
        // (PoCL compiling kernels) cannot kill an agent whose other threads are running
        ProcessHandle.current().info().command().map(java.nio.file.Path::of).map(j -> j.getParent().getParent().resolve("lib/libjsig.so"))
                .filter(Files::exists).ifPresent(j -> pb.environment().put("LD_PRELOAD", j.toString()));
        pb.environment().putAll(env);
        return new Kiln(pb.start(), out, err);
    }

    static Kiln start(Path dir, String... args) throws IOException {
        return start(dir, Map.of(), command(args));
    }

    /** Starts, waits, and returns the exit status the OS reports. */
    static Kiln run(Path dir, String... args) throws Exception {
        Kiln k = start(dir, args);
        k.waitFor(120);
        return k;
    }

    Kiln waitFor(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not exit within " + seconds + "s\n" + this);
        }
        return this;
    }

    long pid() {
        return process.pid();
    }

    int exit() {
        return process.exitValue();
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    /** Waits until stdout holds {@code text}. */
    void awaitOut(String text, int seconds) throws InterruptedException {
        await(out, text, seconds);
    }

    /** Waits until stderr holds {@code text}. */
    void awaitErr(String text, int seconds) throws InterruptedException {
        await(err, text, seconds);
    }

    private void await(Path stream, String text, int seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!read(stream).contains(text)) {
            if (System.nanoTime() > until || !process.isAlive()) {
                throw new AssertionError("'" + text + "' never appeared\n" + this);
            }
            Thread.sleep(20);
        }
    }

    /** Sends a signal by name, as kill(1) does. */
    void signal(String name) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "exit " + (process.isAlive() ? "(running)" : process.exitValue()) + "\n--- stdout\n" + out() + "\n--- stderr\n" + err();
    }
}
