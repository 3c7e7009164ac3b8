package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.router.Router;
import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureInfo;
import io.hypha.features.FeatureService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * The features bundle on a node laid out like a distribution ({@code hypha.home} with {@code system/} and
 * {@code features/}, built by this module's pom): the core feature comes up at boot, and the echo feature is
 * installed, dry-run and uninstalled at runtime without touching any other bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FeatureInstallIT extends HyphaTestSupport {
    private static final String ECHO_BSN = "io.hypha.example.echo";
    /** Events that mean a bundle was restarted, refreshed or replaced. */
    private static final Set<Integer> DISTURBING = Set.of(BundleEvent.STARTING, BundleEvent.STARTED, BundleEvent.STOPPING,
            BundleEvent.STOPPED, BundleEvent.UPDATED, BundleEvent.UNRESOLVED, BundleEvent.UNINSTALLED);

    private FeatureService features;

    @Configuration
    public Option[] config() {
        return new Option[] {
            platform(FeatureInstallIT.class),
            // The OSGi Feature Service (Felix's implementation) that reads the feature JSON.
            bundleFile("org.osgi.service.feature"),
            bundleFile("org.osgi.util.converter"),
            bundleFile("jakarta.json"),
            bundleFile("org.apache.felix.cm.json"),
            bundleFile("org.apache.felix.feature"),
            bundleFile("hypha-features"),
            composite(
                    frameworkProperty("hypha.home").value(hyphaHome().toString()),
                    frameworkProperty("hypha.features.boot").value("core"),
                    // Only the distribution's system/ repository: prove it is complete, never fall back to ~/.m2.
                    frameworkProperty("hypha.features.mavenLocal").value("false")),
        };
    }

    @Before
    public void coreIsUpAndEchoIsNotInstalled() throws FeatureException {
        features = awaitService(FeatureService.class, Await.DEFAULT);
        Await.until("the boot feature core to be installed", Await.DEFAULT, () -> installed("core"), () -> features.features().toString());
        awaitService(Router.class, Await.DEFAULT);
        if (installed("echo")) {
            features.uninstall("echo", false);
        }
        assertTrue("echo is not installed before the test", installedBundle(ECHO_BSN).isEmpty());
    }

    @Test
    public void bootFeatureCoreIsInstalledFromTheSystemRepository() {
        String system = hyphaHome().resolve("system").toUri().toString();
        for (String bsn : new String[] {"io.hypha.identity", "io.hypha.runtime", "io.hypha.router"}) {
            Bundle b = requireBundle(bsn);
            assertEquals(bsn + " is active", Bundle.ACTIVE, b.getState());
            assertTrue(bsn + " came from " + system + ", not " + b.getLocation(), b.getLocation().startsWith(system));
        }
        FeatureInfo core = feature("core");
        assertTrue(core.installed());
        assertFalse("echo is known but not installed", feature("echo").installed());
    }

    @Test
    public void dryRunReportsTheChangeAndInstallsNothing() throws Exception {
        Map<Long, Long> before = lastModifiedById();
        FeatureChange change = features.install("echo", true);

        assertFalse("a dry run applies nothing", change.applied());
        assertEquals("echo", change.feature());
        assertEquals("the dry run names the one bundle to install: " + change, 1, change.toInstall().size());
        assertTrue(change.toInstall().get(0).startsWith(ECHO_BSN + " "));
        assertEquals("and to start", change.toInstall(), change.toStart());
        assertTrue("nothing to stop or remove", change.toStop().isEmpty() && change.toUninstall().isEmpty());

        assertEquals("no bundle was installed, updated or removed", before, lastModifiedById());
        assertFalse(feature("echo").installed());

        FeatureChange again = features.install("echo", true);
        assertEquals("a dry run is repeatable", change, again);
    }

    @Test
    public void installingAndUninstallingEchoTouchesExactlyItsBundles() throws Exception {
        Map<Long, Long> before = lastModifiedById();
        List<String> disturbed = new ArrayList<>();
        List<String> echoEvents = new ArrayList<>();
        SynchronousBundleListener listener = event -> {
            Bundle b = event.getBundle();
            if (ECHO_BSN.equals(b.getSymbolicName())) {
                echoEvents.add(eventName(event.getType()));
            } else if (DISTURBING.contains(event.getType())) {
                disturbed.add(b.getSymbolicName() + " " + eventName(event.getType()));
            }
        };
        bundleContext.addBundleListener(listener);
        try {
            FeatureChange installed = features.install("echo", false);
            assertTrue(installed.applied());
            assertEquals(1, installed.toInstall().size());
            assertTrue(installed.toInstall().get(0).startsWith(ECHO_BSN + " "));

            Map<Long, Long> afterInstall = lastModifiedById();
            Bundle echo = requireBundle(ECHO_BSN);
            assertEquals("exactly echo was added", union(before.keySet(), echo.getBundleId()), afterInstall.keySet());
            assertEquals("echo is started", Bundle.ACTIVE, echo.getState());
            assertTrue("echo came from the system repository: " + echo.getLocation(),
                    echo.getLocation().startsWith(hyphaHome().resolve("system").toUri().toString()));
            assertTrue(feature("echo").installed());
            assertTrue("echo saw install and start: " + echoEvents, echoEvents.containsAll(List.of("INSTALLED", "STARTED")));

            // The engine it brings works.
            EngineDirectory directory = awaitService(EngineDirectory.class, Await.DEFAULT);
            awaitEngine(directory, "echo", EngineInfo.State.RUNNING);
            ProbeEngine client = ProbeEngine.register(bundleContext, "itest-feature-client", 0);
            try {
                Envelope reply = awaitReply(client.ctx().request(EngineAddress.local("echo"), "echo.request", "via feature", Duration.ofSeconds(20)));
                assertEquals("via feature", reply.payload());
            } finally {
                client.unregister();
            }

            FeatureChange removed = features.uninstall("echo", false);
            assertTrue(removed.applied());
            assertEquals("uninstall removes only echo (the plugin API it shares with core stays): " + removed,
                    installed.toInstall(), removed.toUninstall());
            assertTrue("echo is gone", installedBundle(ECHO_BSN).isEmpty());
            assertFalse(feature("echo").installed());
            assertTrue("echo saw stop and uninstall: " + echoEvents, echoEvents.containsAll(List.of("STOPPED", "UNINSTALLED")));
        } finally {
            bundleContext.removeBundleListener(listener);
        }
        assertEquals("no other bundle was started, stopped, updated, refreshed or removed", List.of(), disturbed);
        assertEquals("every other bundle is the same, never re-installed or updated", before, lastModifiedById());
        assertTrue("core still serves", service(Router.class, null) != null);
    }

    @Test
    public void malformedFeatureFilesAreRefusedAndNothingIsInstalled() throws Exception {
        Path deploy = Path.of(bundleContext.getProperty("hypha.data"), "deploy");
        Files.createDirectories(deploy);
        write(deploy.resolve("broken.json"), "{ \"feature-resource-version\": \"1.0\", \"id\": \"io.hypha.features:broken:1\", \"bundles\": [ ");
        write(deploy.resolve("badbundle.json"), "{ \"feature-resource-version\": \"1.0\", \"id\": \"io.hypha.features:badbundle:1\","
                + " \"bundles\": [ { \"id\": \"io.hypha:hypha-example-echo:0.1.0-SNAPSHOT\", \"start-order\": \"soon\" } ] }");
        Map<Long, Long> before = lastModifiedById();

        for (String name : List.of("broken", "badbundle")) {
            for (boolean dryRun : new boolean[] {true, false}) {
                try {
                    FeatureChange change = features.install(name, dryRun);
                    throw new AssertionError("feature " + name + " (dry run " + dryRun + ") was accepted: " + change);
                } catch (FeatureException e) {
                    assertEquals(name + " dry run " + dryRun + ": " + e.getMessage(), FeatureException.Reason.MALFORMED, e.reason());
                    assertEquals(name, e.feature());
                }
            }
        }
        assertEquals("nothing was installed", before, lastModifiedById());
        assertTrue(installedBundle(ECHO_BSN).isEmpty());
        assertFalse("a malformed feature is never recorded as installed",
                features.features().stream().anyMatch(f -> f.installed() && (f.name().equals("broken") || f.name().equals("badbundle"))));
    }

    private boolean installed(String name) {
        return features.features().stream().anyMatch(f -> f.name().equals(name) && f.installed());
    }

    private FeatureInfo feature(String name) {
        return features.features().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no feature " + name + " in " + features.features()));
    }

    /** @return every installed bundle's last-modified time, by id: a re-install or update changes it */
    private Map<Long, Long> lastModifiedById() {
        return Arrays.stream(bundleContext.getBundles())
                .collect(Collectors.toMap(Bundle::getBundleId, Bundle::getLastModified, (a, b) -> a, TreeMap::new));
    }

    private static Set<Long> union(Set<Long> ids, long id) {
        Set<Long> all = new java.util.TreeSet<>(ids);
        all.add(id);
        return all;
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static String eventName(int type) {
        return switch (type) {
            case BundleEvent.INSTALLED -> "INSTALLED";
            case BundleEvent.RESOLVED -> "RESOLVED";
            case BundleEvent.STARTING -> "STARTING";
            case BundleEvent.STARTED -> "STARTED";
            case BundleEvent.STOPPING -> "STOPPING";
            case BundleEvent.STOPPED -> "STOPPED";
            case BundleEvent.UPDATED -> "UPDATED";
            case BundleEvent.UNRESOLVED -> "UNRESOLVED";
            case BundleEvent.UNINSTALLED -> "UNINSTALLED";
            case BundleEvent.LAZY_ACTIVATION -> "LAZY_ACTIVATION";
            default -> Integer.toString(type);
        };
    }
}
