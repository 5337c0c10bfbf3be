package dev.kiln.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The house's layers as rules (ArchUnit, over the main classes of every module on this class path):
 * a rule broken by a change fails here, naming the class and the dependency.
 */
class ArchitectureTest {
    private static final JavaClasses KILN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // the core test-jar (the compatibility kit) is test code
            .importPackages("dev.kiln");

    @Test
    void suitesSeeOnlyTheSuiteSpi() {
        ArchRule r = noClasses().that().resideInAPackage("dev.kiln.suites..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.kiln.core..", "dev.kiln.cli..", "dev.kiln.bundle..", "dev.kiln.report..", "dev.kiln.acceptance..")
                .because("a suite compiles against agent/api only (docs/writing-a-suite.md)");
        r.check(KILN);
        slices().matching("dev.kiln.suites.(*)..").should().notDependOnEachOther().because("each suite stands alone").check(KILN);
    }

    @Test
    void theServiceSeesOnlyTheBundleAndTheReport() {
        noClasses().that().resideInAPackage("dev.kiln.acceptance..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.kiln.core..", "dev.kiln.cli..", "dev.kiln.suites..", "dev.kiln.api..")
                .because("the acceptance service depends on agent/bundle and agent/report only: its verification is the agent's own code")
                .check(KILN);
        noClasses().that().resideInAPackage("dev.kiln.report..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.kiln.core..", "dev.kiln.cli..", "dev.kiln.suites..", "dev.kiln.api..", "dev.kiln.acceptance..")
                .because("the report is rendered alike by the service and kiln report from a bundle alone").check(KILN);
        noClasses().that().resideInAnyPackage("dev.kiln.bundle..", "dev.kiln.api..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.kiln.core..", "dev.kiln.cli..", "dev.kiln.suites..", "dev.kiln.acceptance..", "dev.kiln.report..")
                .because("the bundle library and the suite SPI are the bottom of the house").check(KILN);
    }

    /**
     * Inside the service, the stores are below the routes: a blob store, the index, the spool and the
     * HTTP helpers never reach up into the server or the dashboard (issue 30: a blob store imported the
     * server for one constant, the media type, which lives in agent/bundle now).
     */
    @Test
    void theServiceStoresSitBelowItsRoutes() {
        noClasses().that().haveSimpleNameEndingWith("BlobStore").or().haveSimpleNameEndingWith("Index").or().haveSimpleName("Spool")
                .or().haveSimpleName("Http").or().haveSimpleName("Reindex")
                .and().resideInAPackage("dev.kiln.acceptance..").should().dependOnClassesThat()
                .haveSimpleNameStartingWith("AcceptanceServer").orShould().dependOnClassesThat().haveSimpleNameStartingWith("Dashboard")
                .because("stores, the spool and the HTTP helpers are used by the routes, never the other way").check(KILN);
    }

    @Test
    void theAgentNeverReachesIntoASuite() {
        noClasses().that().resideInAnyPackage("dev.kiln.cli..", "dev.kiln.core..").should().dependOnClassesThat().resideInAPackage("dev.kiln.suites..")
                .because("suites are found with ServiceLoader and answer through the SPI (availability, findHere, verifiedOn)").check(KILN);
    }

    /**
     * Core's packages build on one another without a cycle (a package and its sub-packages are one:
     * {@code platform} holds {@code platform.linux} and {@code platform.mac}). From the bottom:
     * inventory (the record), telemetry (sources' contract), platform, state (files), runner, events,
     * thermal, outbox, upload, config, profile, sku, journal, metrics, then session and doctor.
     */
    @Test
    void corePackagesHaveNoCycles() {
        slices().matching("dev.kiln.core.(*)..").should().beFreeOfCycles()
                .because("a package of core builds on those below it and is never imported back (issue 32)").check(KILN);
    }
}
