package io.hypha.features.internal;

import static io.hypha.features.internal.TestRepository.feature;
import static io.hypha.features.internal.TestRepository.featureFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import io.hypha.features.FeatureInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

class FeatureManagerTest {
    @TempDir
    Path tmp;

    private FakeFramework fw;
    private TestRepository system;
    private Path features;
    private Path deploy;
    private Path stateFile;

    @BeforeEach
    void setUp() throws Exception {
        fw = new FakeFramework();
        system = new TestRepository(tmp.resolve("system"));
        system.bundle("g:lib:1", "lib", "1");
        system.bundle("g:a:1", "a", "1");
        system.bundle("g:b:1", "b", "1");
        system.fragment("g:frag:1", "frag", "1", "a");
        features = tmp.resolve("features");
        deploy = tmp.resolve("deploy");
        stateFile = tmp.resolve("data/state.properties");
        Files.createDirectories(features);
    }

    private FeatureManager manager() {
        return new FeatureManager(fw.context, OsgiFeatures.reader(), stateFile,
                new Settings(List.of(features, deploy), List.of(system.root), Duration.ofSeconds(5)));
    }

    private void define(String name, String... bundles) throws Exception {
        featureFile(features, name, feature(name, bundles));
    }

    @Test
    void installsMissingBundlesAndStartsThemInStartOrder() throws Exception {
        define("app", "g:b:1|20", "g:a:1|10", "g:lib:1|5");
        FeatureManager manager = manager();

        FeatureChange change = manager.install("app", false);

        assertThat(fw.events).containsExactly("install lib", "install a", "install b", "start lib", "start a", "start b");
        assertThat(change.toInstall()).containsExactly("lib 1.0.0", "a 1.0.0", "b 1.0.0");
        assertThat(change.toStart()).containsExactly("lib 1.0.0", "a 1.0.0", "b 1.0.0");
        assertThat(change.applied()).isTrue();
        assertThat(manager.features()).singleElement().satisfies(info -> {
            assertThat(info.name()).isEqualTo("app");
            assertThat(info.installed()).isTrue();
            assertThat(info.id()).isEqualTo("test:app:1.0.0");
            assertThat(info.description()).isEqualTo("the app feature");
            assertThat(info.bundles()).containsExactly("g:b:1", "g:a:1", "g:lib:1");
            assertThat(info.source()).endsWith("app.json");
        });
    }

    @Test
    void aDryRunReportsTheChangeAndDoesNothing() throws Exception {
        define("app", "g:lib:1", "g:a:1");
        FeatureManager manager = manager();

        FeatureChange dry = manager.install("app", true);

        assertThat(dry.applied()).isFalse();
        assertThat(dry.toInstall()).containsExactly("lib 1.0.0", "a 1.0.0");
        assertThat(fw.events).isEmpty();
        assertThat(stateFile).doesNotExist();
        assertThat(manager.features()).singleElement().extracting(FeatureInfo::installed).isEqualTo(false);

        FeatureChange real = manager.install("app", false);
        assertThat(real.toInstall()).isEqualTo(dry.toInstall());
        assertThat(real.toStart()).isEqualTo(dry.toStart());

        int before = fw.events.size();
        FeatureChange dryUninstall = manager.uninstall("app", true);
        assertThat(dryUninstall.toUninstall()).containsExactlyInAnyOrder("lib 1.0.0", "a 1.0.0");
        assertThat(dryUninstall.toStop()).containsExactlyInAnyOrder("lib 1.0.0", "a 1.0.0");
        assertThat(fw.events).hasSize(before);
        assertThat(manager.isInstalled("app")).isTrue();
    }

    @Test
    void reusesABundleWithTheSameSymbolicNameAndVersionWhereverItCameFrom() throws Exception {
        fw.add("lib", "1.0.0", "file:/somewhere/else/lib.jar", Bundle.ACTIVE);
        define("app", "g:lib:1", "g:a:1");
        FeatureManager manager = manager();

        FeatureChange change = manager.install("app", false);

        assertThat(change.toInstall()).containsExactly("a 1.0.0");
        assertThat(change.toStart()).containsExactly("a 1.0.0");
        assertThat(fw.events).containsExactly("install a", "start a");

        manager.uninstall("app", false);

        assertThat(fw.events).doesNotContain("stop lib", "uninstall lib");
        assertThat(fw.state("lib")).isEqualTo(Bundle.ACTIVE);
        assertThat(fw.present()).containsExactly("lib");
    }

    @Test
    void startsAReusedBundleThatIsNotRunning() throws Exception {
        fw.add("lib", "1.0.0", "file:/somewhere/else/lib.jar", Bundle.RESOLVED);
        define("app", "g:lib:1");

        FeatureChange change = manager().install("app", false);

        assertThat(change.toInstall()).isEmpty();
        assertThat(change.toStart()).containsExactly("lib 1.0.0");
        assertThat(fw.state("lib")).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void neverStartsFragments() throws Exception {
        define("app", "g:a:1|1", "g:frag:1|2");

        FeatureChange change = manager().install("app", false);

        assertThat(change.toInstall()).containsExactly("a 1.0.0", "frag 1.0.0");
        assertThat(change.toStart()).containsExactly("a 1.0.0");
        assertThat(fw.events).containsExactly("install a", "install frag", "start a");
    }

    @Test
    void aMissingArtifactInstallsNothing() throws Exception {
        define("app", "g:a:1", "g:missing:1");
        FeatureManager manager = manager();

        FeatureException e = catchThrowableOfType(() -> manager.install("app", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.MISSING_ARTIFACT);
        assertThat(e.feature()).isEqualTo("app");
        assertThat(e.getMessage()).contains("g:missing:1");
        assertThat(fw.events).isEmpty();
        assertThat(manager.isInstalled("app")).isFalse();
    }

    @Test
    void aMalformedFeatureInstallsNothingAndTheOthersKeepWorking() throws Exception {
        featureFile(features, "broken", "{ \"id\": \"g:broken:1\", \"bundles\": [ { \"id\": \"g:a:1\" }");
        define("app", "g:a:1");
        FeatureManager manager = manager();

        FeatureException e = catchThrowableOfType(() -> manager.install("broken", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e.getMessage()).contains("broken.json");
        assertThat(fw.events).isEmpty();
        assertThat(manager.features()).extracting(FeatureInfo::name).containsExactly("app");
        manager.install("app", false);
        assertThat(manager.isInstalled("app")).isTrue();
    }

    @Test
    void anUnknownFeatureNamesTheKnownOnes() throws Exception {
        define("app", "g:a:1");

        FeatureException e = catchThrowableOfType(() -> manager().install("nope", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FEATURE);
        assertThat(e.getMessage()).contains("nope", "app");
    }

    @Test
    void rollsBackWhatItDidWhenABundleFailsToStart() throws Exception {
        fw.add("lib", "1.0.0", "file:/elsewhere/lib.jar", Bundle.RESOLVED);
        fw.failOnStart.add("b");
        define("app", "g:lib:1|5", "g:a:1|10", "g:b:1|20");
        FeatureManager manager = manager();

        FeatureException e = catchThrowableOfType(() -> manager.install("app", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.INSTALL_FAILED);
        assertThat(e.getMessage()).contains("b 1.0.0", "missing.pkg");
        assertThat(fw.events).containsExactly("install a", "install b", "start lib", "start a",
                "stop lib", "uninstall b", "uninstall a", "refresh [a, b]");
        assertThat(fw.present()).containsExactly("lib");
        assertThat(fw.state("lib")).isEqualTo(Bundle.RESOLVED);
        assertThat(manager.isInstalled("app")).isFalse();
    }

    @Test
    void uninstallRemovesOnlyWhatTheFeatureInstalledAndRefreshesOnlyThat() throws Exception {
        fw.add("lib", "1.0.0", "file:/elsewhere/lib.jar", Bundle.ACTIVE);
        define("app", "g:lib:1|1", "g:a:1|2", "g:b:1|3");
        FeatureManager manager = manager();
        manager.install("app", false);
        fw.events.clear();

        FeatureChange change = manager.uninstall("app", false);

        assertThat(change.toUninstall()).containsExactly("b 1.0.0", "a 1.0.0");
        assertThat(fw.events).containsExactly("stop b", "uninstall b", "stop a", "uninstall a", "refresh [a, b]");
        assertThat(fw.present()).containsExactly("lib");
        assertThat(manager.isInstalled("app")).isFalse();
    }

    @Test
    void aSharedBundleStaysUntilTheLastFeatureNeedingItIsUninstalled() throws Exception {
        define("one", "g:lib:1", "g:a:1");
        define("two", "g:lib:1", "g:b:1");
        FeatureManager manager = manager();
        manager.install("one", false);
        manager.install("two", false);

        FeatureChange first = manager.uninstall("one", false);

        assertThat(first.toUninstall()).containsExactly("a 1.0.0");
        assertThat(fw.present()).containsExactly("lib", "b");

        FeatureChange second = manager.uninstall("two", false);

        assertThat(second.toUninstall()).containsExactlyInAnyOrder("b 1.0.0", "lib 1.0.0");
        assertThat(fw.present()).isEmpty();
    }

    @Test
    void uninstallingAFeatureThatIsNotInstalledFails() throws Exception {
        define("app", "g:a:1");

        FeatureException e = catchThrowableOfType(() -> manager().uninstall("app", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.NOT_INSTALLED);
        assertThat(fw.events).isEmpty();
    }

    @Test
    void theInstalledStateSurvivesARestart() throws Exception {
        define("app", "g:lib:1", "g:a:1");
        manager().install("app", false);

        FeatureManager restarted = manager();

        assertThat(restarted.isInstalled("app")).isTrue();
        assertThat(restarted.features()).singleElement().extracting(FeatureInfo::installed).isEqualTo(true);
        restarted.uninstall("app", false);
        assertThat(fw.present()).isEmpty();
    }

    @Test
    void forgetsOwnedBundlesThatWereUninstalledByHand() throws Exception {
        define("app", "g:lib:1", "g:a:1");
        manager().install("app", false);
        fw.find("a").uninstall();
        fw.events.clear();

        FeatureChange change = manager().uninstall("app", false);

        assertThat(change.toUninstall()).containsExactly("lib 1.0.0");
        assertThat(fw.events).containsExactly("stop lib", "uninstall lib", "refresh [lib]");
    }

    @Test
    void doesNotRefreshWhenABundleOutsideTheFeatureIsWiredToARemovedOne() throws Exception {
        define("app", "g:lib:1", "g:a:1");
        FeatureManager manager = manager();
        manager.install("app", false);
        Bundle outsider = fw.add("outsider", "1.0.0", "file:/elsewhere/outsider.jar", Bundle.ACTIVE);
        fw.wiredFrom.put(fw.find("lib").getBundleId(), Set.of(outsider.getBundleId()));
        fw.events.clear();

        manager.uninstall("app", false);

        assertThat(fw.events).containsExactly("stop a", "uninstall a", "stop lib", "uninstall lib");
        assertThat(fw.state("outsider")).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void reapplyingAChangedFeatureInstallsWhatItAddsAndRemovesWhatItDropped() throws Exception {
        define("app", "g:lib:1|1", "g:a:1|2");
        FeatureManager manager = manager();
        manager.install("app", false);
        fw.events.clear();
        Path file = features.resolve("app.json");
        Files.writeString(file, feature("app", "g:lib:1|1", "g:b:1|2"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 10_000));

        FeatureChange change = manager.install("app", false);

        assertThat(change.toInstall()).containsExactly("b 1.0.0");
        assertThat(change.toUninstall()).containsExactly("a 1.0.0");
        assertThat(fw.events).containsExactly("install b", "start b", "stop a", "uninstall a", "refresh [a]");

        manager.uninstall("app", false);
        assertThat(fw.present()).isEmpty();
    }

    @Test
    void installingAnInstalledUnchangedFeatureChangesNothing() throws Exception {
        define("app", "g:lib:1", "g:a:1");
        FeatureManager manager = manager();
        manager.install("app", false);
        fw.events.clear();

        FeatureChange again = manager.install("app", false);

        assertThat(again.isEmpty()).isTrue();
        assertThat(fw.events).isEmpty();
    }

    @Test
    void bootInstallsTheListedFeaturesThatAreMissingAndGoesOnAfterAFailure() throws Exception {
        define("one", "g:a:1");
        define("two", "g:b:1");
        define("three", "g:lib:1");
        featureFile(features, "broken", "not json");
        FeatureManager manager = manager();
        manager.install("three", false);
        fw.find("lib").stop();
        fw.events.clear();

        manager.installBoot(List.of("one", "broken", "unknown", "two", "three"), () -> false);

        assertThat(manager.isInstalled("one")).isTrue();
        assertThat(manager.isInstalled("two")).isTrue();
        assertThat(fw.events).containsExactly("install a", "start a", "install b", "start b");
    }

    @Test
    void bootStopsWhenCancelled() throws Exception {
        define("one", "g:a:1");

        manager().installBoot(List.of("one"), () -> true);

        assertThat(fw.events).isEmpty();
    }

    @Test
    void aDeployedFileIsInstalledAndItsDeletionUninstallsIt() throws Exception {
        Path elsewhere = tmp.resolve("watched");
        Path file = featureFile(elsewhere, "extra", feature("extra", "g:a:1"));
        FeatureManager manager = manager();

        manager.deploy(file);

        assertThat(manager.isInstalled("extra")).isTrue();
        assertThat(manager.features()).singleElement().extracting(FeatureInfo::source).isEqualTo(file.toAbsolutePath().normalize().toString());

        Files.delete(file);
        manager.undeploy(file);

        assertThat(manager.isInstalled("extra")).isFalse();
        assertThat(fw.present()).isEmpty();
        assertThat(manager.features()).isEmpty();
    }

    @Test
    void aFileInTheDeployDirectoryOverridesTheDistributionsFeatureOfTheSameName() throws Exception {
        define("app", "g:a:1");
        featureFile(deploy, "app", feature("app", "g:b:1"));

        FeatureChange change = manager().install("app", true);

        assertThat(change.toInstall()).containsExactly("b 1.0.0");
    }

    @Test
    void operationsRunOneAtATime() throws Exception {
        define("one", "g:a:1");
        define("two", "g:b:1");
        FeatureManager manager = manager();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger installs = new AtomicInteger();
        fw.onInstall = () -> {
            if (installs.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Thread first = new Thread(() -> install(manager, "one"));
        Thread second = new Thread(() -> install(manager, "two"));
        first.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        second.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (second.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(second.getState()).isEqualTo(Thread.State.WAITING);
        assertThat(installs).hasValue(1);

        release.countDown();
        first.join(10_000);
        second.join(10_000);
        assertThat(manager.isInstalled("one")).isTrue();
        assertThat(manager.isInstalled("two")).isTrue();
        assertThat(installs).hasValue(2);
    }

    private static void install(FeatureManager manager, String name) {
        try {
            manager.install(name, false);
        } catch (FeatureException e) {
            throw new AssertionError(e);
        }
    }
}
