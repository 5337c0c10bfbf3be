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
