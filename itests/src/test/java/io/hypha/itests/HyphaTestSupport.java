package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.hypha.api.DeliveryException;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.router.RemoteGateway;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * What every integration test shares: the bundles of a Hypha node on a real Felix, given to pax-exam as
 * {@code file:} URLs of the jars the build copied to {@code target/bundles}, and helpers to look at the running
 * framework (services, bundles, configuration) that wait with deadlines instead of sleeping.
 *
 * <p>The {@code @Configuration} methods run on the test class path (outside the framework) and read the
 * system properties failsafe sets: {@code itest.bundles}, {@code itest.home}, {@code itest.work}. The test methods
 * run inside the framework, in the probe bundle, and see the same classes as the bundles they test.
 */
public abstract class HyphaTestSupport {
    /** Symbolic names of the bundles that make a minimal Hypha node (the {@code core} feature). */
    public static final String[] CORE_BUNDLES = {"io.hypha.api", "io.hypha.identity", "io.hypha.runtime", "io.hypha.router"};

    /** How long a test waits for a request's stage to complete; longer than any request timeout the tests use. */
    protected static final Duration REPLY_WAIT = Duration.ofSeconds(60);

    @Inject
    protected BundleContext bundleContext;

    // ---------------------------------------------------------------- configuration (runs outside the framework)

    /**
     * @param artifactId a bundle's Maven artifactId, as copied by the build into {@code target/bundles}
     * @return the option installing and starting it from its file
     */
    protected static UrlProvisionOption bundleFile(String artifactId) {
        return org.ops4j.pax.exam.CoreOptions.bundle(bundleUrl(artifactId));
    }

    /**
     * Usable inside the framework too (the native container shares the JVM's system properties), to install a
     * bundle from a test.
     *
     * @param artifactId a bundle's Maven artifactId, as copied by the build into {@code target/bundles}
     * @return the {@code file:} URL of its jar
     */
    protected static String bundleUrl(String artifactId) {
        File jar = new File(requiredProperty("itest.bundles"), artifactId + ".jar");
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is missing: is " + artifactId + " a test dependency of hypha-itests?");
        }
        return jar.toURI().toString();
    }

    /**
     * The platform under Hypha: logging (slf4j-api and the slf4j-simple binding bundle, no pax-logging),
     * Declarative Services with its OSGi dependencies, ConfigAdmin, the plugin API (the probe's classes use it), and
     * JUnit for the probe.
     *
     * @param testClass names this run's data directory
     * @return the options
     */
    protected static Option platform(Class<?> testClass) {
        return composite(
                systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")),
                frameworkProperty("hypha.data").value(freshDataDir(testClass).toString()),
                junitBundles(),
                bundleFile("slf4j-simple"),
                bundleFile("slf4j-api"),
                bundleFile("org.osgi.util.function"),
                bundleFile("org.osgi.util.promise"),
                bundleFile("org.osgi.service.component"),
                bundleFile("org.apache.felix.scr"),
                bundleFile("org.apache.felix.configadmin"),
                bundleFile("hypha-plugin-api"));
    }

    /**
     * The bundles of the {@code core} feature beyond the platform, installed directly (tests of the features bundle
     * install them through {@code features/core.json} instead).
     *
     * @return BouncyCastle and the Hypha core bundles (identity, engine runtime, router), started
     */
    protected static Option coreBundles() {
        return composite(
                bundleFile("bcprov-jdk18on"),
                bundleFile("bcutil-jdk18on"),
                bundleFile("bcpkix-jdk18on"),
                bundleFile("hypha-identity"),
                bundleFile("hypha-runtime"),
                bundleFile("hypha-router"));
    }

    /** @return the distribution folder the build assembled (system/ in Maven layout, features/) */
    protected static Path hyphaHome() {
        return Path.of(requiredProperty("itest.home"));
    }

    /**
     * @param testClass the test class
     * @return a new, empty directory under {@code target/itest-work} for this run's node data
     */
    protected static Path freshDataDir(Class<?> testClass) {
        try {
            Path work = Path.of(requiredProperty("itest.work"));
            Files.createDirectories(work);
            return Files.createTempDirectory(work, testClass.getSimpleName() + "-data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String requiredProperty(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("system property " + key + " is not set; run the tests with failsafe (mvn verify)");
        }
        return value;
    }

    // ---------------------------------------------------------------- helpers (run inside the framework)

    /**
     * @param type    the service type
     * @param timeout how long to wait
     * @param <T>     the service type
     * @return the highest-ranked service of that type, once one is registered
     */
    protected <T> T awaitService(Class<T> type, Duration timeout) {
        return awaitService(type, null, timeout);
    }

    /**
     * @param type    the service type
     * @param filter  an LDAP filter on its properties, or {@code null}
     * @param timeout how long to wait
     * @param <T>     the service type
     * @return the highest-ranked matching service, once one is registered
     */
    protected <T> T awaitService(Class<T> type, String filter, Duration timeout) {
        return Await.value("a " + type.getSimpleName() + " service" + (filter == null ? "" : " matching " + filter), timeout, () -> service(type, filter));
    }

    /**
     * @param type   the service type
     * @param filter an LDAP filter, or {@code null}
     * @param <T>    the service type
     * @return the highest-ranked matching service now, or {@code null}
     */
    protected <T> T service(Class<T> type, String filter) {
        try {
            var refs = bundleContext.getServiceReferences(type, filter);
            ServiceReference<T> best = refs.stream().max(ServiceReference::compareTo).orElse(null);
            // The test bundle never ungets: the framework releases everything when the probe goes away.
            return best == null ? null : bundleContext.getService(best);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the installed bundle with that name, if any
     */
    protected Optional<Bundle> installedBundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst();
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the installed bundle with that name
     * @throws AssertionError if none is installed
     */
    protected Bundle requireBundle(String symbolicName) {
        return installedBundle(symbolicName).orElseThrow(() -> new AssertionError("bundle " + symbolicName + " is not installed; installed: " + describeBundles()));
    }

    /** @return every installed bundle with its state, for failure messages */
    protected String describeBundles() {
        return Arrays.stream(bundleContext.getBundles())
                .map(b -> b.getBundleId() + ":" + b.getSymbolicName() + "=" + stateName(b.getState()))
                .collect(Collectors.joining(", "));
    }

    /**
     * @param state a {@link Bundle#getState()} value
     * @return its name
     */
    protected static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> Integer.toString(state);
        };
    }

    /**
     * @param bundle a bundle
     * @return whether it is a fragment
     */
    protected static boolean isFragment(Bundle bundle) {
        return bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    /**
     * Replaces a configuration's properties (creating it if needed), bound to no particular bundle location.
     *
     * @param pid        the configuration PID
     * @param properties key, value, key, value ...
     */
    protected void configure(String pid, Object... properties) {
        ConfigurationAdmin cm = awaitService(ConfigurationAdmin.class, Await.DEFAULT);
        Dictionary<String, Object> dict = new Hashtable<>();
        for (int i = 0; i < properties.length; i += 2) {
            dict.put((String) properties[i], properties[i + 1]);
        }
        try {
            Configuration config = cm.getConfiguration(pid, "?");
            config.update(dict);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param stage a request's reply
     * @return the reply
     */
    protected static Envelope awaitReply(CompletionStage<Envelope> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(REPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the request failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no reply and no failure within " + REPLY_WAIT, e);
        }
    }

    /**
     * @param stage a request's reply
     * @return the delivery failure it completed with
     */
    protected static DeliveryException awaitFailure(CompletionStage<Envelope> stage) {
        try {
            Envelope reply = stage.toCompletableFuture().get(REPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a delivery failure, got a reply: " + reply);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof DeliveryException de) {
                return de;
            }
            throw new AssertionError("expected a DeliveryException, got " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError("the request neither failed nor completed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * @param directory the engine directory
     * @param name      an engine name
     * @return that engine's entry now, if it has one
     */
    protected static Optional<EngineInfo> engine(EngineDirectory directory, String name) {
        return directory.engines().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * @param directory the engine directory
     * @param name      an engine name
     * @return messages queued for it now (0 if it has no entry)
     */
    protected static int queued(EngineDirectory directory, String name) {
        return engine(directory, name).map(EngineInfo::queued).orElse(0);
    }

    /**
     * @param directory the engine directory
     * @param name      an engine name
     * @param state     the awaited state
     * @return its entry once it is in that state
     */
    protected static EngineInfo awaitEngine(EngineDirectory directory, String name, EngineInfo.State state) {
        return Await.value("engine " + name + " to be " + state, Await.DEFAULT,
                () -> engine(directory, name).filter(e -> e.state() == state).orElse(null));
    }

    /**
     * Registers a {@link RemoteGateway} from the test and checks that an engine's message to another node is handed
     * to it (engine context, runtime, router, gateway); unregisters it afterwards.
     */
    protected void assertMessagesToOtherNodesReachTheGateway() {
        ConcurrentLinkedQueue<Envelope> forwarded = new ConcurrentLinkedQueue<>();
        RemoteGateway gateway = envelope -> {
            forwarded.add(envelope);
            return null;
        };
        ServiceRegistration<RemoteGateway> registration = bundleContext.registerService(RemoteGateway.class, gateway, null);
        ProbeEngine sender = ProbeEngine.register(bundleContext, "itest-remote-sender", 0);
        try {
            byte[] key = new byte[NodeId.LENGTH];
            Arrays.fill(key, (byte) 7);
            EngineAddress remote = EngineAddress.of(NodeId.of(key), "echo");
            Await.until("a message to another node to reach the remote gateway", Await.DEFAULT, () -> {
                // Resent until it arrives: the router binds the gateway asynchronously after its registration.
                if (forwarded.isEmpty()) {
                    sender.ctx().send(remote, "remote.test", "to another node", Duration.ofSeconds(30));
                }
                return !forwarded.isEmpty();
            }, () -> "the sender was told: " + sender.undeliverable().stream().limit(3).toList());
            Envelope out = forwarded.peek();
            assertEquals(remote, out.dst());
            assertEquals("itest-remote-sender", out.src().engine());
            assertEquals("to another node", out.payload());
        } finally {
            sender.unregister();
            registration.unregister();
        }
    }
}
