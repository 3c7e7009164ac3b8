package io.hypha.features.internal;

import static io.hypha.features.internal.TestRepository.feature;
import static io.hypha.features.internal.TestRepository.featureFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.features.FeatureException;
import io.hypha.features.FeatureException.Reason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;

/**
 * The manager against a real Felix framework (no DS): real resolution, real wiring and refresh. Bundles are
 * manifest-only jars whose packages wire them together.
 */
class FeatureManagerOnFelixTest {
    @TempDir
    Path tmp;

    private Felix felix;
    private BundleContext context;
    private FeatureManager manager;
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFelix() throws Exception {
        TestRepository system = new TestRepository(tmp.resolve("system"));
        system.bundle("g:lib:1", "lib", "1", Map.of("Export-Package", "lib.api;version=1.0"));
        system.bundle("g:user:1", "user", "1", Map.of("Import-Package", "lib.api"));
        system.bundle("g:outsider:1", "outsider", "1", Map.of("Import-Package", "lib.api"));
        system.bundle("g:broken:1", "broken", "1", Map.of("Import-Package", "no.such.pkg"));
        Path features = tmp.resolve("features");
        featureFile(features, "app", feature("app", "g:lib:1|1", "g:user:1|2"));
        featureFile(features, "bad", feature("bad", "g:lib:1|1", "g:user:1|2", "g:broken:1|3"));

        felix = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, tmp.resolve("cache").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        felix.start();
        context = felix.getBundleContext();
        context.addBundleListener(e -> events.add(type(e) + " " + e.getBundle().getSymbolicName()));
        manager = new FeatureManager(context, OsgiFeatures.reader(), tmp.resolve("state.properties"),
                new Settings(List.of(features), List.of(system.root), Duration.ofSeconds(10)));
    }

    @AfterEach
    void stopFelix() throws Exception {
        felix.stop();
        felix.waitForStop(10_000);
    }

    @Test
    void installsResolvesAndStartsTheFeaturesBundles() throws Exception {
        manager.install("app", false);

        assertThat(state("lib")).isEqualTo(Bundle.ACTIVE);
        assertThat(state("user")).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void uninstallRefreshesOnlyTheRemovedBundles() throws Exception {
        manager.install("app", false);
        manager.uninstall("app", false);

        assertThat(names()).doesNotContain("lib", "user");
        assertThat(context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(org.osgi.framework.wiring.FrameworkWiring.class)
                .getRemovalPendingBundles()).isEmpty();
    }

    @Test
    void anOutsiderWiredToTheFeatureIsNeverRestarted() throws Exception {
        manager.install("app", false);
        Bundle outsider = context.installBundle(tmp.resolve("system/g/outsider/1/outsider-1.jar").toUri().toString());
        outsider.start();
        events.clear();

        manager.uninstall("app", false);

        assertThat(outsider.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(events).doesNotContain("STOPPED outsider", "UNRESOLVED outsider");
        assertThat(names()).doesNotContain("lib", "user");
    }

    @Test
    void aBundleThatCannotResolveRollsTheWholeFeatureBack() throws Exception {
        FeatureException e = catchThrowableOfType(() -> manager.install("bad", false), FeatureException.class);

        assertThat(e.reason()).isEqualTo(Reason.INSTALL_FAILED);
        assertThat(e.getMessage()).contains("broken", "no.such.pkg");
        assertThat(names()).doesNotContain("lib", "user", "broken");
        assertThat(manager.isInstalled("bad")).isFalse();

        manager.install("app", false);
        assertThat(state("user")).isEqualTo(Bundle.ACTIVE);
    }

    private int state(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .map(Bundle::getState).orElse(Bundle.UNINSTALLED);
    }

    private List<String> names() {
        return Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName).toList();
    }

    private static String type(BundleEvent e) {
        return switch (e.getType()) {
            case BundleEvent.STOPPED -> "STOPPED";
            case BundleEvent.UNRESOLVED -> "UNRESOLVED";
            case BundleEvent.STARTED -> "STARTED";
            default -> String.valueOf(e.getType());
        };
    }
}
