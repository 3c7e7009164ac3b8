package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendBufferTest {
    private final SendBuffer buffer = new SendBuffer();
    private final List<Long> released = new ArrayList<>();

    private static Envelope message(int i) {
        return Envelope.builder().dst(EngineAddress.local("sink")).type("t").payload("m" + i).build();
    }

    private void add(int count) {
        for (int i = 0; i < count; i++) {
            buffer.add(message(i), new byte[10]);
        }
    }

    @Test
    void messagesAreNumberedFromOneAndReleasedByCumulativeAcks() {
        add(5);
        assertThat(buffer.last()).isEqualTo(5);
        assertThat(buffer.live()).isEqualTo(5);
        assertThat(buffer.liveBytes()).isEqualTo(50);

        buffer.ackTo(3, (seq, len) -> released.add(seq));

        assertThat(released).containsExactly(1L, 2L, 3L);
        assertThat(buffer.acked()).isEqualTo(3);
        assertThat(buffer.holds(3)).isFalse();
        assertThat(buffer.holds(4)).isTrue();
        assertThat(buffer.live()).isEqualTo(2);
        buffer.ackTo(2, (seq, len) -> released.add(seq));
        assertThat(released).as("an older ack changes nothing").hasSize(3);
    }

    @Test
    void droppedMessagesLeaveHolesThatAcksSkipAndLeadingHolesAreTrimmed() {
        add(6);
        buffer.remove(1);
        buffer.remove(2);
        buffer.remove(4);

        assertThat(buffer.base()).isEqualTo(3);
        assertThat(buffer.span()).isEqualTo(4);
        assertThat(buffer.live()).isEqualTo(3);
        buffer.ackTo(5, (seq, len) -> released.add(seq));
        assertThat(released).containsExactly(3L, 5L);
        assertThat(buffer.base()).isEqualTo(6);
    }

    @Test
    void theRingGrowsKeepingEverySeqAndShrinksWhenEmptied() {
        add(10_000);
        buffer.ackTo(100, (seq, len) -> { });
        add(100);
        assertThat(buffer.capacity()).isGreaterThanOrEqualTo(10_000);
        for (long seq = 101; seq <= 10_100; seq++) {
            assertThat(buffer.holds(seq)).isTrue();
            assertThat(buffer.envelope(seq).payload()).isEqualTo("m" + ((seq - 1) < 10_000 ? seq - 1 : seq - 10_001));
        }

        buffer.ackTo(10_100, (seq, len) -> { });

        assertThat(buffer.live()).isZero();
        assertThat(buffer.liveBytes()).isZero();
        assertThat(buffer.capacity()).isEqualTo(64);
        add(1);
        assertThat(buffer.last()).isEqualTo(10_101);
        assertThat(buffer.holds(10_101)).isTrue();
    }
}
