package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.wire.Ack;
import io.hypha.wire.EnvelopeFrames;
import io.hypha.wire.Frame;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written encoder writes exactly the bytes of the generated classes with {@link EnvelopeFrames}. */
class DataFramesTest {
    private static final NodeId SENDER = node(1);
    private static final NodeId RECEIVER = node(2);
    private static final NodeId OTHER = node(3);

    private static NodeId node(int b) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) b);
        return NodeId.of(key);
    }

    static Stream<Envelope> envelopes() {
        EngineAddress dst = EngineAddress.of(RECEIVER, "sink");
        Envelope.Builder base = Envelope.builder().dst(dst).type("echo.request");
        return Stream.of(
                base.build(),
                base.src(EngineAddress.of(SENDER, "echo")).id(7).payload("hi").build(),
                base.src(EngineAddress.local("echo")).id(1L << 40).payload(new byte[] {1, 2, 3}).build(),
                base.src(EngineAddress.of(OTHER, "relay.engine")).id(-1L).inReplyTo(99).payload(new byte[0]).build(),
                base.src(null).payload("").expiresAt(1_700_000_000_000L).build(),
                base.payload("h\u00e9llo \u2603 \uD83D\uDE00").expiresAt(0).build(),
                base.payload("broken \uD800 surrogate").expiresAt(-5).build(),
                base.type("odd \uDC00 type").payload("tail \uD83D").build(),
                base.payload(new byte[70_000]).type("").build(),
                Envelope.builder().dst(dst).type("t").payload("x".repeat(200)).inReplyTo(Long.MIN_VALUE).build());
    }

    @ParameterizedTest
    @MethodSource("envelopes")
    void aDataFrameIsByteForByteWhatTheGeneratedClassesWrite(Envelope envelope) {
        for (long seq : List.of(1L, 127L, 128L, 300L, 1L << 35, Long.MAX_VALUE, -1L)) {
            byte[] body = DataFrames.encodeBody(envelope, SENDER);
            ByteBuffer out = ByteBuffer.allocate(DataFrames.dataFrameSize(seq, body.length));
            DataFrames.putData(out, seq, body);

            byte[] expected = Frame.newBuilder().setData(EnvelopeFrames.toData(seq == -1L ? 1 : seq, envelope, SENDER)
                    .toBuilder().setSeq(seq)).build().toByteArray();
            assertThat(out.hasRemaining()).as("frame size is exact").isFalse();
            assertThat(out.array()).as("seq %d", seq).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 5, 127, 128, 1L << 40, Long.MAX_VALUE, -1L})
    void anAckFrameIsByteForByteWhatTheGeneratedClassesWrite(long seq) {
        ByteBuffer out = ByteBuffer.allocate(DataFrames.MAX_ACK_FRAME);
        DataFrames.putAck(out, seq);

        byte[] expected = Frame.newBuilder().setAck(Ack.newBuilder().setSeq(seq)).build().toByteArray();
        assertThat(Arrays.copyOf(out.array(), out.position())).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"list", "integer"})
    void aPayloadThatCannotCrossANodeBoundaryHasNoBody(String kind) {
        Object payload = kind.equals("list") ? List.of(1) : Integer.valueOf(3);
        Envelope e = Envelope.builder().dst(EngineAddress.of(RECEIVER, "sink")).type("t").payload(payload).build();

        assertThat(DataFrames.encodeBody(e, SENDER)).isNull();
    }
}
