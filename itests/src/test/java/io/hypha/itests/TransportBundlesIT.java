package io.hypha.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.testkit.transport.RecordingConnectionHandler;
import io.hypha.testkit.transport.TestTransportContext;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Each transport protocol bundle ({@code tls} on the Netty bundles, {@code quic} with kwik embedded) on a real Felix
 * with the real bundles: it starts and registers its {@link TransportProtocol} under its scheme, carries frames
 * between two authenticated ends through the service, is picked up (and bound) by the Transport engine, and when
 * stopped it unregisters, closes what was open and leaves none of its threads behind; started again, it comes back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportBundlesIT extends HyphaTestSupport {
    private static final String ENGINE_BSN = "io.hypha.transport";
    /** The engine's internal admin service, looked at by name: its package is private to the engine bundle. */
    private static final String TRANSPORT_ADMIN = "io.hypha.transport.internal.TransportAdmin";
    /** JDK threads shared by everyone that linger after their work (idle common-pool workers live 60 s). */
    private static final String COMMON_POOL = "ForkJoinPool.commonPool-worker";

    @Configuration
    public Option[] config() {
        return new Option[] {
                platform(TransportBundlesIT.class),
                coreBundles(),
                bundleFile("protobuf-java"),
                bundleFile("hypha-wire"),
                bundleFile("netty-common"),
                bundleFile("netty-buffer"),
                bundleFile("netty-resolver"),
                bundleFile("netty-transport"),
                bundleFile("netty-transport-native-unix-common"),
                bundleFile("netty-codec"),
                bundleFile("netty-handler"),
                bundleFile("hypha-transport-tls"),
                bundleFile("hypha-transport-quic"),
                // The engine listens on every installed scheme (default tls://127.0.0.1:0 and quic://127.0.0.1:0).
                bundleFile("hypha-transport"),
                // A library bundle: the probe's TransportContext and recording ConnectionHandler.
                bundleFile("hypha-plugin-testkit")};
    }

    @Test
    public void tlsBundleServesFramesAndLeavesNoThreadsWhenStoppedThenComesBack() throws Exception {
        bundleLifecycle("io.hypha.transport.tls", "tls", "hypha-tls-");
    }

    @Test
    public void quicBundleServesFramesAndLeavesNoThreadsWhenStoppedThenComesBack() throws Exception {
        bundleLifecycle("io.hypha.transport.quic", "quic", "hypha-quic-");
    }

    /**
     * @param bsn          the transport bundle
     * @param scheme       its scheme
     * @param threadPrefix how its own threads are named (TlsTransport's event loop factory; QuicTransport's readers,
     *                     writers, watchdog and unbinders); kwik's threads are caught as threads new since the start
     */
    private void bundleLifecycle(String bsn, String scheme, String threadPrefix) throws Exception {
        String filter = "(" + TransportProtocol.SCHEME + "=" + scheme + ")";
        Bundle bundle = requireBundle(bsn);
        awaitService(TransportProtocol.class, filter, Await.DEFAULT);

        // Stop it first, so that every thread started from here on is known to be the transport's.
        bundle.stop();
        awaitUnregistered(filter);
        awaitNoThreadsOfTheTransport(scheme, threadPrefix, Set.of());
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

        bundle.start();
        assertEquals(bsn + " is active", "ACTIVE", stateName(bundle.getState()));
        TransportProtocol protocol = awaitService(TransportProtocol.class, filter, Await.DEFAULT);
        assertEquals(scheme, protocol.scheme());
        ServiceReference<TransportProtocol> reference = protocolReference(filter);
        assertEquals("registered by " + bsn, bsn, reference.getBundle().getSymbolicName());

        Exchange exchange = listenDialAndExchangeFrames(protocol, scheme);
        assertFalse("the " + scheme + " transport runs threads named " + threadPrefix + "*",
                threadsNamed(threadPrefix).isEmpty());

        // The Transport engine binds the protocol (DS reference) and listens on its scheme.
        Await.until("the Transport engine to use the " + scheme + " protocol", Await.DEFAULT,
                () -> usedByEngine(protocolReference(filter)));
        awaitEngineView(scheme, true);

        bundle.stop();
        assertEquals(bsn + " is stopped", "RESOLVED", stateName(bundle.getState()));
        awaitUnregistered(filter);
        // What the test left open is closed by the transport, and the handlers are told.
        exchange.client.awaitClosed(exchange.outbound, Await.DEFAULT);
        exchange.server.awaitClosed(exchange.inbound, Await.DEFAULT);
        assertFalse("the dialled connection is closed", exchange.outbound.isOpen());
        assertFalse("the accepted connection is closed", exchange.inbound.isOpen());
        exchange.client.assertNoViolations();
        exchange.server.assertNoViolations();
        awaitNoThreadsOfTheTransport(scheme, threadPrefix, before);
        awaitEngineView(scheme, false);

        bundle.start();
        TransportProtocol again = awaitService(TransportProtocol.class, filter, Await.DEFAULT);
        assertEquals(scheme, again.scheme());
        Await.until("the Transport engine to use the " + scheme + " protocol again", Await.DEFAULT,
                () -> usedByEngine(protocolReference(filter)));
        awaitEngineView(scheme, true);
    }

    /** Both ends of one connection the test opened through a protocol service, left open on purpose. */
    private record Exchange(RecordingConnectionHandler server, RecordingConnectionHandler client, Connection inbound,
                            Connection outbound) {
    }

    /**
     * Listens on 127.0.0.1:0, dials that address expecting this node (both ends present this node's certificate)
     * and sends one frame each way.
     */
    private Exchange listenDialAndExchangeFrames(TransportProtocol protocol, String scheme) throws Exception {
        TransportCredentials credentials = awaitService(TransportCredentials.class, Await.DEFAULT);
        NodeId self = awaitService(NodeIdentity.class, Await.DEFAULT).id();
        RecordingConnectionHandler server = new RecordingConnectionHandler(scheme + "-server");
        RecordingConnectionHandler client = new RecordingConnectionHandler(scheme + "-client");

        ListeningEndpoint endpoint = await(protocol.listen(URI.create(scheme + "://127.0.0.1:0"),
                TestTransportContext.of(credentials, server)), "listen on " + scheme + "://127.0.0.1:0");
        URI bound = endpoint.address();
        assertEquals(scheme, bound.getScheme());
        assertNotEquals("a real port was bound: " + bound, 0, bound.getPort());

        Connection outbound = await(protocol.dial(bound, self, TestTransportContext.of(credentials, client)), "dial " + bound);
        assertEquals("the dialled end proved this node", self, outbound.peer());
        assertTrue(outbound.outbound());
        Connection inbound = server.awaitConnected(1, Await.DEFAULT).get(0);
        assertEquals("the accepting end proved this node", self, inbound.peer());
        assertFalse(inbound.outbound());

        byte[] ping = ("ping over " + scheme).getBytes(StandardCharsets.UTF_8);
        byte[] pong = ("pong over " + scheme).getBytes(StandardCharsets.UTF_8);
        assertTrue("the dialled connection takes a frame", outbound.send(ByteBuffer.wrap(ping)));
        assertArrayEquals(ping, server.awaitFrames(inbound, 1, Await.DEFAULT).get(0));
        assertTrue("the accepted connection takes a frame", inbound.send(ByteBuffer.wrap(pong)));
        assertArrayEquals(pong, client.awaitFrames(outbound, 1, Await.DEFAULT).get(0));
        return new Exchange(server, client, inbound, outbound);
    }

    private static <T> T await(CompletionStage<T> stage, String what) throws InterruptedException {
        try {
            return stage.toCompletableFuture().get(Await.DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " neither completed nor failed within " + Await.DEFAULT, e);
        }
    }

    private ServiceReference<TransportProtocol> protocolReference(String filter) {
        try {
            return bundleContext.getServiceReferences(TransportProtocol.class, filter).stream()
                    .max(ServiceReference::compareTo).orElse(null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    private void awaitUnregistered(String filter) {
        Await.until("no TransportProtocol matching " + filter, Await.DEFAULT, () -> protocolReference(filter) == null);
    }

    private static boolean usedByEngine(ServiceReference<TransportProtocol> reference) {
        Bundle[] users = reference == null ? null : reference.getUsingBundles();
        return users != null && Arrays.stream(users).anyMatch(b -> ENGINE_BSN.equals(b.getSymbolicName()));
    }

    // ---------------------------------------------------------------- threads

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    /**
     * Waits until no thread named like the transport's own runs, and no thread started since {@code before} (kwik's,
     * Netty's) is alive, apart from idle JDK common-pool workers.
     */
    private static void awaitNoThreadsOfTheTransport(String scheme, String prefix, Set<Thread> before) {
        boolean checkNew = !before.isEmpty();
        Await.until("the " + scheme + " transport's threads to end", Await.DEFAULT,
                () -> leftovers(prefix, before, checkNew).isEmpty(),
                () -> describe(leftovers(prefix, before, checkNew)));
    }

    private static Map<Thread, StackTraceElement[]> leftovers(String prefix, Set<Thread> before, boolean checkNew) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive())
                .filter(e -> e.getKey().getName().startsWith(prefix)
                        || (checkNew && !before.contains(e.getKey()) && !e.getKey().getName().startsWith(COMMON_POOL)))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static String describe(Map<Thread, StackTraceElement[]> threads) {
        return threads.entrySet().stream()
                .map(e -> "'" + e.getKey().getName() + "' " + e.getKey().getState() + " at "
                        + Arrays.stream(e.getValue()).limit(6).map(String::valueOf).collect(Collectors.joining(" < ")))
                .collect(Collectors.joining("; "));
    }

    // ---------------------------------------------------------------- the engine's view

    /** Waits until the engine reports the scheme installed and bound (or, with {@code false}, not installed). */
    private void awaitEngineView(String scheme, boolean installed) {
        Await.until("the Transport engine to report " + scheme + (installed ? " installed and listening" : " not installed"),
                Await.DEFAULT, () -> {
                    Object info = engineProtocolInfo(scheme);
                    if (info == null) {
                        return !installed;
                    }
                    boolean isInstalled = (Boolean) call(info, "installed");
                    List<?> listening = (List<?>) call(info, "listening");
                    return installed
                            ? isInstalled && listening.stream().anyMatch(u -> scheme.equals(((URI) u).getScheme()))
                            : !isInstalled && listening.isEmpty();
                }, () -> String.valueOf(engineProtocolInfo(scheme)));
    }

    /**
     * The engine's snapshot entry for a scheme, through its admin service (reflection: the engine exports no API).
     *
     * @return the {@code TransportSnapshot.ProtocolInfo}, or {@code null} if the engine has none for the scheme
     */
    private Object engineProtocolInfo(String scheme) {
        try {
            ServiceReference<?>[] refs = bundleContext.getServiceReferences(TRANSPORT_ADMIN, null);
            if (refs == null) {
                return null;
            }
            Object admin = bundleContext.getService(refs[0]);
            Method snapshot = refs[0].getBundle().loadClass(TRANSPORT_ADMIN).getMethod("snapshot");
            Object taken = await((CompletionStage<?>) snapshot.invoke(admin), "the engine's snapshot");
            for (Object info : (List<?>) call(taken, "protocols")) {
                if (scheme.equals(call(info, "scheme"))) {
                    return info;
                }
            }
            return null;
        } catch (ReflectiveOperationException | InvalidSyntaxException e) {
            throw new AssertionError("the engine's admin service changed shape: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Calls a record component accessor. */
    private static Object call(Object target, String accessor) {
        try {
            return target.getClass().getMethod(accessor).invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no " + accessor + "() on " + target.getClass().getName(), e);
        }
    }
}
