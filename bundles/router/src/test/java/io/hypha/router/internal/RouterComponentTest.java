package io.hypha.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.RemoteGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouterComponentTest {
    private static final NodeId LOCAL = node(1);
    private static final NodeId REMOTE = node(2);

    private final RecordingDelivery delivery = new RecordingDelivery();
    private final RouterComponent router = new RouterComponent(delivery, new FixedIdentity(LOCAL));

    @Test
    void deliversMessagesWithoutNodeLocally() {
        Envelope e = envelope(EngineAddress.local("echo"));
        router.route(e);
        assertThat(delivery.delivered).containsExactly(e);
        assertThat(delivery.failures).isEmpty();
    }

    @Test
    void deliversMessagesToItsOwnNodeLocallyEvenWithAGateway() {
        FakeGateway gateway = new FakeGateway(null);
        router.bindGateway(gateway);
        Envelope e = envelope(EngineAddress.of(node(1), "echo")); // an equal but distinct NodeId instance
        router.route(e);
        assertThat(delivery.delivered).containsExactly(e);
        assertThat(gateway.forwarded).isEmpty();
    }

    @Test
    void deadLettersRemoteMessagesAsNoRouteWhenNoGatewayIsInstalled() {
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(delivery.delivered).isEmpty();
        assertThat(delivery.failures).containsExactly(new Failure(e, DeliveryFailure.NO_ROUTE));
        assertThat(delivery.details.get(0)).contains("no transport is installed");
    }

    @Test
    void forwardsRemoteMessagesToTheGateway() {
        FakeGateway gateway = new FakeGateway(null);
        router.bindGateway(gateway);
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(gateway.forwarded).containsExactly(e);
        assertThat(delivery.delivered).isEmpty();
        assertThat(delivery.failures).isEmpty();
    }

    @Test
    void reportsTheGatewaysRefusalAsUndeliverable() {
        router.bindGateway(new FakeGateway(DeliveryFailure.MAILBOX_FULL));
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(delivery.failures).containsExactly(new Failure(e, DeliveryFailure.MAILBOX_FULL));
    }

    @Test
    void reportsAGatewayThatThrowsAsNoRoute() {
        router.bindGateway(envelope -> {
            throw new IllegalStateException("boom");
        });
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(delivery.failures).containsExactly(new Failure(e, DeliveryFailure.NO_ROUTE));
    }

    @Test
    void keepsTheNewGatewayWhenTheReplacedOneIsUnbound() {
        FakeGateway first = new FakeGateway(null);
        FakeGateway second = new FakeGateway(null);
        router.bindGateway(first);
        router.bindGateway(second); // greedy: the better one is bound before the old one is unbound
        router.unbindGateway(first);
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(second.forwarded).containsExactly(e);
        assertThat(first.forwarded).isEmpty();
    }

    @Test
    void fallsBackToNoRouteWhenTheGatewayGoesAway() {
        FakeGateway gateway = new FakeGateway(null);
        router.bindGateway(gateway);
        router.unbindGateway(gateway);
        Envelope e = envelope(EngineAddress.of(REMOTE, "echo"));
        router.route(e);
        assertThat(gateway.forwarded).isEmpty();
        assertThat(delivery.failures).containsExactly(new Failure(e, DeliveryFailure.NO_ROUTE));
    }

    @Test
    void takesIdsAndNodeFromTheRuntimeAndIdentity() {
        assertThat(router.localNode()).isEqualTo(LOCAL);
        long a = router.nextMessageId();
        long b = router.nextMessageId();
        assertThat(b).isEqualTo(a + 1);
        assertThat(delivery.ids.get()).isEqualTo(b);
    }

    private static Envelope envelope(EngineAddress dst) {
        return Envelope.builder().dst(dst).id(7).type("test").payload("x").build();
    }

    private static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        key[0] = (byte) seed;
        return NodeId.of(key);
    }

    private record Failure(Envelope envelope, DeliveryFailure failure) {
    }

    private static final class RecordingDelivery implements LocalDelivery {
        final List<Envelope> delivered = new ArrayList<>();
        final List<Failure> failures = new ArrayList<>();
        final List<String> details = new ArrayList<>();
        final AtomicLong ids = new AtomicLong(100);

        @Override
        public long nextMessageId() {
            return ids.incrementAndGet();
        }

        @Override
        public void deliver(Envelope envelope) {
            delivered.add(envelope);
        }

        @Override
        public DeliveryFailure offer(Envelope envelope) {
            delivered.add(envelope);
            return null;
        }

        @Override
        public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
            failures.add(new Failure(envelope, failure));
            details.add(detail);
        }
    }

    private static final class FakeGateway implements RemoteGateway {
        final List<Envelope> forwarded = new ArrayList<>();
        final DeliveryFailure answer;

        FakeGateway(DeliveryFailure answer) {
            this.answer = answer;
        }

        @Override
        public DeliveryFailure forward(Envelope envelope) {
            forwarded.add(envelope);
            return answer;
        }
    }

    private record FixedIdentity(NodeId id) implements NodeIdentity {
        @Override
        public byte[] sign(String context, byte[] message) {
            throw new UnsupportedOperationException("not needed by the router");
        }
    }
}
