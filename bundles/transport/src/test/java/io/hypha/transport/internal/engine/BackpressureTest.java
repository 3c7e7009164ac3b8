package io.hypha.transport.internal.engine;

import static io.hypha.transport.internal.engine.TestNodes.Q;
import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.transport.internal.Drop;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A full mailbox on the receiving node holds the session back instead of losing messages. */
class BackpressureTest {
    private final TestNodes net = new TestNodes();

    private static List<Object> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> (Object) ("m" + i)).toList();
    }

    @Test
    void messagesAFullMailboxRefusesAreHeldUnacknowledgedAndHandedOverInOrderWhenThereIsRoom() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").outboundBufferMessages(20).build());
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        b.local.room = 5;

        for (int i = 1; i <= 20; i++) {
            assertThat(a.engine.forward(a.message(b, "m" + i))).isNull();
        }
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 5));
        assertThat(b.local.failures).as("nothing dead-lettered").isEmpty();
        assertThat(a.peer(b).unacked()).as("only what reached a mailbox is acknowledged").isEqualTo(15);
        for (int i = 21; i <= 25; i++) {
            assertThat(a.engine.forward(a.message(b, "m" + i))).as("room for what was acknowledged").isNull();
        }
        net.advance(Duration.ofMillis(100));
        assertThat(a.engine.forward(a.message(b, "m26"))).as("the sender's buffer is full: the sender is refused")
                .isEqualTo(DeliveryFailure.MAILBOX_FULL);
        assertThat(b.local.payloads()).isEqualTo(texts(1, 5));

        b.local.room = -1;
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 25));
        assertThat(a.peer(b).unacked()).isZero();
        assertThat(a.engine.forward(a.message(b, "m26"))).isNull();
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 26));
    }

    @Test
    void heldMessagesSurviveAReconnectAndAreDeliveredExactlyOnce() {
        TestNodes.Node a = net.node("a");
        TestNodes.Node b = net.node("b");
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        b.local.room = 3;

        for (int i = 1; i <= 10; i++) {
            a.engine.forward(a.message(b, "m" + i));
        }
        net.advance(Duration.ofMillis(100));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 3));

        net.network.open().get(0).breakWith(new TransportException(TransportError.IO, "reset", null));
        net.advance(Duration.ofSeconds(5));
        b.local.room = -1;
        net.advance(Duration.ofSeconds(5));
        assertThat(b.local.payloads()).as("the resent copies of held messages are dropped as duplicates")
                .isEqualTo(texts(1, 10));
        assertThat(a.peer(b).unacked()).isZero();
    }

    @Test
    void moreHeldThanTheBoundClosesTheLinkAndTheRestIsResentLaterWithoutLoss() {
        TestNodes.Node a = net.node("a", TestNodes.settings("a").outboundBufferMessages(50).build());
        TestNodes.Node b = net.node("b", TestNodes.settings("b").outboundBufferMessages(4).build());
        a.install(Q);
        b.install(Q);
        a.connect(b, Q);
        b.local.room = 0;

        for (int i = 1; i <= 10; i++) {
            a.engine.forward(a.message(b, "m" + i));
        }
        net.advance(Duration.ofMillis(100));
        assertThat(b.peer(a).drops().get(Drop.HELD_FULL)).isPositive();

        b.local.room = -1;
        net.advance(Duration.ofSeconds(10));
        assertThat(b.local.payloads()).isEqualTo(texts(1, 10));
    }
}
