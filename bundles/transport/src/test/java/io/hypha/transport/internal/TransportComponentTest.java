package io.hypha.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.transport.internal.engine.MemoryNetwork;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The component with its real engine thread: two nodes over the in-memory network, a sender on its own thread, and a
 * transport removed mid-stream from a third thread (as DS does on a bundle update).
 */
class TransportComponentTest {
    private final MemoryNetwork network = new MemoryNetwork();
    private final List<TransportComponent> started = new ArrayList<>();

    /** Records deliveries, in order; called by one engine thread. */
    private static final class Sink implements LocalDelivery {
        final List<Object> payloads = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger count = new AtomicInteger();
        final AtomicLong ids = new AtomicLong();
        final List<DeliveryFailure> failures = Collections.synchronizedList(new ArrayList<>());

        @Override
        public long nextMessageId() {
            return ids.incrementAndGet();
        }

        @Override
        public void deliver(Envelope envelope) {
            payloads.add(envelope.payload());
            count.incrementAndGet();
        }

        @Override
        public DeliveryFailure offer(Envelope envelope) {
            deliver(envelope);
            return null;
        }

        @Override
        public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
            failures.add(failure);
        }
    }

    static TransportComponent.Config config(Map<String, Object> overrides) {
        return (TransportComponent.Config) Proxy.newProxyInstance(TransportComponent.Config.class.getClassLoader(),
                new Class<?>[] {TransportComponent.Config.class}, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    return switch (method.getName()) {
                        case "annotationType" -> TransportComponent.Config.class;
                        case "hashCode" -> 0;
                        case "equals" -> proxy == args[0];
                        default -> "Config" + overrides;
                    };
                });
    }

    private static NodeId node(int b) {
        byte[] key = new byte[NodeId.LENGTH];
        key[0] = (byte) b;
        key[9] = 1;
        return NodeId.of(key);
    }

    private TransportComponent start(NodeId id, String host, Sink sink) {
        NodeIdentity identity = new NodeIdentity() {
            @Override
            public NodeId id() {
                return id;
            }

            @Override
            public byte[] sign(String context, byte[] message) {
                throw new UnsupportedOperationException();
            }
        };
        TransportComponent c = new TransportComponent(config(Map.of(
                "listen", new String[] {"memq://" + host + ":0", "memt://" + host + ":0"},
                "preferredSchemes", new String[] {"memq", "memt"})), identity, null, sink);
        started.add(c);
        return c;
    }

    @AfterEach
    void stop() {
        started.forEach(TransportComponent::deactivate);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    private static URI address(TransportComponent c, String scheme) throws InterruptedException {
        await(() -> c.listening().stream().anyMatch(u -> u.getScheme().equals(scheme)), scheme + " listening");
        return c.listening().stream().filter(u -> u.getScheme().equals(scheme)).findFirst().orElseThrow();
    }

    @Test
    void aStreamCrossesExactlyOnceInOrderWhileItsTransportIsRemovedMidStream() throws Exception {
        NodeId aId = node(1);
        NodeId bId = node(2);
        Sink aSink = new Sink();
        Sink bSink = new Sink();
        TransportComponent a = start(aId, "a", aSink);
        TransportComponent b = start(bId, "b", bSink);
        MemoryNetwork.MemoryTransport aq = network.new MemoryTransport("memq", aId);
        MemoryNetwork.MemoryTransport at = network.new MemoryTransport("memt", aId);
        a.addProtocol(aq);
        a.addProtocol(at);
        b.addProtocol(network.new MemoryTransport("memq", bId));
        b.addProtocol(network.new MemoryTransport("memt", bId));
        assertThat(a.connect(address(b, "memt")).toCompletableFuture().get(10, TimeUnit.SECONDS).node()).isEqualTo(bId);
        a.connect(address(b, "memq")).toCompletableFuture().get(10, TimeUnit.SECONDS);

        int total = 100_000;
        AtomicInteger refusedFull = new AtomicInteger();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                Envelope e = Envelope.builder().src(EngineAddress.of(aId, "bench")).dst(EngineAddress.of(bId, "sink"))
                        .id(i + 1).type("t").payload(Integer.toString(i)).build();
                DeliveryFailure f;
                while ((f = a.forward(e)) == DeliveryFailure.MAILBOX_FULL) {
                    refusedFull.incrementAndGet();
                    Thread.yield();
                }
                if (f != null) {
                    throw new AssertionError("refused: " + f);
                }
            }
        });
        long start = System.nanoTime();
        sender.start();
        await(() -> bSink.count.get() >= total / 3, "a third of the stream");
        a.removeProtocol(aq); // what DS does when the bundle stops: the engine lets go first
        aq.shutDown();
        sender.join();
        await(() -> bSink.count.get() >= total, "the whole stream");
        long elapsed = System.nanoTime() - start;

        List<Object> got;
        synchronized (bSink.payloads) {
            got = new ArrayList<>(bSink.payloads);
        }
        assertThat(got).hasSize(total);
        for (int i = 0; i < total; i++) {
            if (!got.get(i).equals(Integer.toString(i))) {
                throw new AssertionError("message " + i + " is " + got.get(i));
            }
        }
        TransportSnapshot snapshot = a.snapshot().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(snapshot.peers()).singleElement().satisfies(p -> {
            assertThat(p.scheme()).isEqualTo("memt");
            assertThat(p.queued()).isZero();
        });
        assertThat(aSink.failures).isEmpty();
        System.out.printf("transport component test: %d messages in %d ms (%d refused as full and retried)%n", total,
                Duration.ofNanos(elapsed).toMillis(), refusedFull.get());
    }

    @Test
    void invalidConfigurationFallsBackToTheDefaults() {
        TransportSettings s = TransportComponent.settings(config(Map.of("maxFrameSize", 10)));

        assertThat(s).isEqualTo(TransportSettings.defaults());
        assertThat(TransportComponent.settings(config(Map.of("listen", new String[] {" tls://0.0.0.0:4001 ", ""}))).listen())
                .containsExactly(URI.create("tls://0.0.0.0:4001"));
    }

    @Test
    void aCommaSeparatedListenValueFromACfgFileIsSplitIntoAddresses() {
        TransportSettings s = TransportComponent.settings(config(Map.of("listen", new String[] {"tls://127.0.0.1:0, quic://127.0.0.1:0,"},
                "preferredSchemes", new String[] {"tls,quic"})));

        assertThat(s.listen()).containsExactly(URI.create("tls://127.0.0.1:0"), URI.create("quic://127.0.0.1:0"));
        assertThat(s.preferredSchemes()).containsExactly("tls", "quic");
    }

    @Test
    void deactivationStopsTheThreadAndRefusesLaterMessages() {
        TransportComponent a = start(node(1), "a", new Sink());
        started.clear();

        a.deactivate();

        Envelope e = Envelope.builder().dst(EngineAddress.of(node(2), "x")).type("t").build();
        assertThat(a.forward(e)).isEqualTo(DeliveryFailure.NO_ROUTE);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("hypha-transport-" + node(1).shortForm()));
    }
}
