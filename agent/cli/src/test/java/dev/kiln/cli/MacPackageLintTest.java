package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * The macOS package cannot be built on these Linux machines (pkgbuild, productbuild and launchd are
 * macOS's), so what it is made of is checked here: every property list against Apple's plist DTD and
 * against launchd.plist(5)'s keys, the distribution file, the commands its scripts run, and every
 * shell script the packages ship through shellcheck (and {@code sh -n} where shellcheck is absent).
 * docs and packaging/README.md say the package itself is untested.
 */
class MacPackageLintTest {
    private static final Path PACKAGING = Path.of("../../packaging");
    private static final Set<String> LAUNCHD_KEYS = Set.of("Label", "Program", "ProgramArguments", "RunAtLoad", "KeepAlive",
            "StandardOutPath", "StandardErrorPath", "StandardInPath", "ExitTimeOut", "ProcessType", "LowPriorityIO",
            "LowPriorityBackgroundIO", "Nice", "EnvironmentVariables", "WorkingDirectory", "UserName", "GroupName",
            "ThrottleInterval", "AbandonProcessGroup", "SoftResourceLimits", "HardResourceLimits", "Umask");

    private static List<Path> plists() throws Exception {
        try (Stream<Path> s = Files.walk(PACKAGING)) {
            return s.filter(p -> p.toString().endsWith(".plist")).sorted().toList();
        }
    }

    /** Parses with validation against the DTD the DOCTYPE names, served from the test resources. */
    private static Document validated(Path file, List<String> errors) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setValidating(true);
        f.setIgnoringElementContentWhitespace(true);
        f.setIgnoringComments(true);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setEntityResolver((publicId, systemId) -> {
            assertEquals("-//Apple//DTD PLIST 1.0//EN", publicId, file + " names another DTD");
            InputStream dtd = MacPackageLintTest.class.getResourceAsStream("/macos/PropertyList-1.0.dtd");
            return new InputSource(dtd);
        });
        b.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
                errors.add(file + ":" + e.getLineNumber() + ": " + e.getMessage());
            }

            @Override
            public void error(SAXParseException e) {
                errors.add(file + ":" + e.getLineNumber() + ": " + e.getMessage());
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXParseException {
                throw e;
            }
        });
        return b.parse(file.toFile());
    }

    /** The top-level dict: each key with the element that follows it. */
    private static Map<String, Element> dict(Document d) {
        Map<String, Element> out = new LinkedHashMap<>();
        Element dict = (Element) d.getDocumentElement().getElementsByTagName("dict").item(0);
        String key = null;
        for (Node n = dict.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                if (e.getTagName().equals("key")) {
                    key = e.getTextContent();
                } else {
                    out.put(key, e);
                }
            }
        }
        return out;
    }

    @Test
    void everyLaunchDaemonIsAValidPropertyListWithOnlyKeysLaunchdDocuments() throws Exception {
        List<Path> plists = plists();
        assertEquals(List.of("dev.kiln.burnin.plist", "dev.kiln.upload.plist"), plists.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : plists) {
            List<String> errors = new ArrayList<>();
            Document d = validated(p, errors);
            assertEquals(List.of(), errors, "not a valid property list: " + p);
            Map<String, Element> job = dict(d);
            for (String key : job.keySet()) {
                assertTrue(LAUNCHD_KEYS.contains(key), p + ": launchd.plist(5) does not document " + key);
            }
            String label = p.getFileName().toString().replace(".plist", "");
            assertEquals(label, job.get("Label").getTextContent(), "launchd wants the file named after its label");
            Element args = job.get("ProgramArguments");
            assertEquals("/opt/kiln/kiln", ((Element) args.getElementsByTagName("string").item(0)).getTextContent());
            for (String log : List.of("StandardOutPath", "StandardErrorPath")) {
                assertTrue(job.get(log).getTextContent().startsWith("/var/log/kiln/"), p + ": postinstall makes /var/log/kiln, nothing else");
            }
        }
    }

    @Test
    void aBrokenPropertyListIsCaught() throws Exception {
        // the check above can fail: a key without its value, a value the DTD does not know
        Path bad = Files.createTempFile("bad", ".plist");
        try {
            Files.writeString(bad, """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
                    <plist version="1.0"><dict><key>Label</key><key>RunAtLoad</key><bool>yes</bool></dict></plist>
                    """);
            List<String> errors = new ArrayList<>();
            validated(bad, errors);
            assertFalse(errors.isEmpty());
        } finally {
            Files.delete(bad);
        }
    }

    @Test
    void theDistributionNamesTheComponentPackageThatBuildPkgMakes() throws Exception {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(PACKAGING.resolve("macos/distribution.xml").toFile());
        Element ref = (Element) d.getElementsByTagName("pkg-ref").item(1);
        assertEquals("dev.kiln.agent", ref.getAttribute("id"));
        assertEquals("kiln-component.pkg", ref.getTextContent());
        assertEquals("arm64", ((Element) d.getElementsByTagName("options").item(0)).getAttribute("hostArchitectures"));
        String build = Files.readString(PACKAGING.resolve("build-pkg.sh"));
        assertTrue(build.contains("--identifier dev.kiln.agent") && build.contains("\"$WORK/kiln-component.pkg\""), "build-pkg.sh makes what the distribution names");
        for (String script : List.of("macos/scripts/preinstall", "macos/uninstall.sh")) {
            assertTrue(Files.readString(PACKAGING.resolve(script)).contains("dev.kiln.agent"), script + " uses the package identifier");
        }
    }

    /**
     * A factory-signed image must keep what a JVM needs under the hardened runtime: the entitlements file
     * is a valid property list granting exactly JIT, unsigned executable memory, other teams' libraries and
     * the DYLD preload of libjsig, and build-pkg.sh signs every Mach-O executable with it and the runtime.
     */
    @Test
    void theSigningCommandGivesTheJvmItsEntitlements() throws Exception {
        Path file = PACKAGING.resolve("macos/kiln.entitlements");
        List<String> errors = new ArrayList<>();
        Map<String, Element> e = dict(validated(file, errors));
        assertEquals(List.of(), errors, "not a valid property list: " + file);
        assertEquals(Set.of("com.apple.security.cs.allow-jit", "com.apple.security.cs.allow-unsigned-executable-memory",
                "com.apple.security.cs.disable-library-validation", "com.apple.security.cs.allow-dyld-environment-variables"), e.keySet());
        e.forEach((k, v) -> assertEquals("true", v.getTagName(), k + " must be granted"));
        String build = Files.readString(PACKAGING.resolve("build-pkg.sh"));
        assertTrue(build.contains("ENTITLEMENTS=\"$KILN_HOME/packaging/macos/kiln.entitlements\""), "build-pkg.sh signs with this file");
        List<String> signing = build.lines().filter(l -> l.contains("codesign --force")).toList();
        assertEquals(2, signing.size(), "libraries, then executables: " + signing);
        assertTrue(signing.stream().allMatch(l -> l.contains("--options runtime")), "the hardened runtime everywhere: " + signing);
        assertTrue(signing.get(1).contains("--entitlements \"$ENTITLEMENTS\""), "the executables keep the JVM's entitlements: " + signing.get(1));
        String chaining = Files.readString(PACKAGING.resolve("signal-chaining.sh"));
        assertTrue(chaining.contains("DYLD_INSERT_LIBRARIES"), "what allow-dyld-environment-variables is for");
    }

    /**
     * An upgrade starts again only the jobs that had a process: a burn-in that finished stays loaded
     * with none, and bootstrapping it again would run a whole burn-in (RunAtLoad) on a finished unit.
     * The preinstall script runs here with launchctl and pkgutil stood in for by scripts.
     */
    @Test
    void anUpgradeRemembersOnlyTheJobsThatWereRunning(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path calls = tmp.resolve("calls");
        Files.writeString(bin.resolve("pkgutil"), "#!/bin/sh\nexit 0\n");
        Files.writeString(bin.resolve("launchctl"), """
                #!/bin/sh
                echo "$*" >> "%s"
                case "$1 $2" in
                  "print system/dev.kiln.burnin") printf 'system/dev.kiln.burnin = {\n\tactive count = 0\n\tstate = not running\n}\n' ;;
                  "print system/dev.kiln.upload") printf 'system/dev.kiln.upload = {\n\tstate = running\n\tpid = 412\n}\n' ;;
                esac
                exit 0
                """.formatted(calls));
        for (String t : List.of("pkgutil", "launchctl")) {
            assertTrue(bin.resolve(t).toFile().setExecutable(true));
        }
        Path mark = tmp.resolve("mark");
        ProcessBuilder pb = new ProcessBuilder("sh", PACKAGING.resolve("macos/scripts/preinstall").toAbsolutePath().toString()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("KILN_PKG_MARK", mark.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of("upgrade", "dev.kiln.upload"), Files.readAllLines(mark), "the finished burn-in is not started again");
        List<String> ran = Files.readAllLines(calls);
        assertTrue(ran.contains("bootout system/dev.kiln.burnin") && ran.contains("bootout system/dev.kiln.upload"),
                "both are stopped for the new files: " + ran);
        String post = Files.readString(PACKAGING.resolve("macos/scripts/postinstall"));
        assertTrue(post.contains("grep -qx \"$job\" \"$MARK\"") && post.contains("launchctl bootstrap system"),
                "postinstall starts again exactly the jobs the mark names");
    }

    /** The commands the postinstall script runs are commands this agent accepts. */
    @Test
    void thePostinstallRunsCommandsTheAgentHas() throws Exception {
        String post = Files.readString(PACKAGING.resolve("macos/scripts/postinstall"));
        assertTrue(post.contains("/opt/kiln/kiln keys show --state-dir \"$STATE\"") && post.contains("/opt/kiln/kiln keys init --state-dir \"$STATE\""));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Main.commandLine(sink, sink).parseArgs("keys", "show", "--state-dir", "/Library/Application Support/Kiln");
        Main.commandLine(sink, sink).parseArgs("keys", "init", "--state-dir", "/Library/Application Support/Kiln");
        Main.commandLine(sink, sink).parseArgs("upload", "--watch");
        Main.commandLine(sink, sink).parseArgs("run", "--profile", "burn-in", "--output", "jsonl");
    }

    private static final Path ROOT = Path.of("../..");

    /** The scripts, relative to the repository root (where shellcheck's source directives are relative to). */
    private static List<String> shellScripts() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(PACKAGING)) {
            s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".sh") || p.getParent().endsWith("scripts"))
                    .map(p -> ROOT.relativize(p).toString()).sorted().forEach(out::add);
        }
        out.add("kiln");
        out.add("kiln-acceptance");
        return out;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? "" : out.isEmpty() ? "exit " + p.exitValue() : out;
    }

    @Test
    void everyShippedShellScriptParses() throws Exception {
        for (String s : shellScripts()) {
            String text = Files.readString(ROOT.resolve(s));
            String shell = text.startsWith("#!/usr/bin/env bash") || text.startsWith("# shellcheck shell=bash") ? "bash" : "sh";
            assertEquals("", run(List.of(shell, "-n", s)), s + " does not parse");
        }
    }

    @Test
    void everyShippedShellScriptPassesShellcheck() throws Exception {
        boolean have;
        try {
            have = new ProcessBuilder("shellcheck", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            have = false;
        }
        assumeTrue(have, "shellcheck is not installed (.ci/run installs it)");
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x", "--severity=warning"));
        cmd.addAll(shellScripts());
        assertEquals("", run(cmd));
        // and the macOS package's own scripts with every note, style included
        assertEquals("", run(List.of("shellcheck", "--severity=style", "packaging/build-pkg.sh", "packaging/macos/scripts/preinstall",
                "packaging/macos/scripts/postinstall", "packaging/macos/uninstall.sh")));
    }
}
