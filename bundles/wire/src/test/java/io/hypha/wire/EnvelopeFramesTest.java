package io.hypha.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnvelopeFramesTest {
    private static final NodeId SENDER = node(1);
    private static final NodeId RECEIVER = node(2);
    private static final NodeId THIRD = node(3);

    private static NodeId node(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return NodeId.of(key);
    }

    private static Envelope.Builder envelope() {
        return Envelope.builder().src(EngineAddress.of(SENDER, "echo")).dst(EngineAddress.of(RECEIVER, "sink"))
                .id(77).inReplyTo(5).expiresAt(1_900_000_000_000L).type("echo.request");
    }

    /** What the receiver makes of what the sender sent. */
    private static Envelope across(Envelope sent) throws FrameException {
        return EnvelopeFrames.toEnvelope(EnvelopeFrames.toData(9, sent, SENDER), SENDER);
    }

    private static FrameException refusal(Data data) {
        FrameException e = catchThrowableOfType(() -> EnvelopeFrames.toEnvelope(data, SENDER), FrameException.class);
        assertThat(e).as("decoding should have failed").isNotNull();
        assertThat(e.error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
        return e;
    }

    @Test
    void carriesEveryEnvelopeFieldAcross() throws Exception {
        Envelope received = across(envelope().payload(new byte[] {1, 2, 3}).build());

        assertThat(received.src()).isEqualTo(EngineAddress.of(SENDER, "echo"));
        assertThat(received.dst()).isEqualTo(EngineAddress.local("sink"));
        assertThat(received.id()).isEqualTo(77);
        assertThat(received.inReplyTo()).isEqualTo(5);
        assertThat(received.expiresAt()).isEqualTo(1_900_000_000_000L);
        assertThat(received.type()).isEqualTo("echo.request");
        assertThat(received.payload(byte[].class)).containsExactly(1, 2, 3);
    }

    @Test
    void leavesOutTheSendersOwnNodeAndKeepsAnotherOne() {
        Data own = EnvelopeFrames.toData(1, envelope().build(), SENDER);
        Data local = EnvelopeFrames.toData(1, envelope().src(EngineAddress.local("echo")).build(), SENDER);
        Data relayed = EnvelopeFrames.toData(1, envelope().src(EngineAddress.of(THIRD, "echo")).build(), SENDER);

        assertThat(own.getSrcNode().isEmpty()).isTrue();
        assertThat(local.getSrcNode().isEmpty()).isTrue();
        assertThat(relayed.getSrcNode().toByteArray()).isEqualTo(THIRD.publicKey());
    }

    @Test
    void keepsTextNullAndMissingSourceApart() throws Exception {
        assertThat(across(envelope().payload("héllo ✓").build()).payload()).isEqualTo("héllo ✓");
        assertThat(across(envelope().payload(null).build()).payload()).isNull();
        assertThat(across(envelope().payload(new byte[0]).build()).payload(byte[].class)).isEmpty();
        assertThat(across(envelope().src(null).build()).src()).isNull();
        assertThat(across(envelope().src(EngineAddress.of(THIRD, "x")).build()).src()).isEqualTo(EngineAddress.of(THIRD, "x"));
    }

    @Test
    void sendsNeverAsZeroAndKeepsAPastExpiryExpired() throws Exception {
        Data never = EnvelopeFrames.toData(1, envelope().expiresAt(Envelope.NEVER).build(), SENDER);
        Data past = EnvelopeFrames.toData(1, envelope().expiresAt(0).build(), SENDER);

        assertThat(never.getExpiresAt()).isZero();
        assertThat(EnvelopeFrames.toEnvelope(never, SENDER).expiresAt()).isEqualTo(Envelope.NEVER);
        assertThat(past.getExpiresAt()).isEqualTo(1);
        assertThat(EnvelopeFrames.toEnvelope(past, SENDER).isExpired(2)).isTrue();
    }

    @Test
    void refusesPayloadsThatCannotCrossANodeBoundaryAndSessionNumbersBelowOne() {
        assertThatThrownBy(() -> EnvelopeFrames.toData(1, envelope().payload(42).build(), SENDER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> EnvelopeFrames.toData(0, envelope().build(), SENDER))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesInvalidFieldsAsMalformed() {
        Data good = EnvelopeFrames.toData(3, envelope().payload("x").build(), SENDER);

        assertThat(refusal(good.toBuilder().setDstEngine("").build()).getMessage()).contains("dst_engine");
        assertThat(refusal(good.toBuilder().setSrcEngine("bad name").build()).getMessage()).contains("src_engine");
        assertThat(refusal(good.toBuilder().setSrcNode(ByteString.copyFrom(new byte[31])).build()).getMessage())
                .contains("31 bytes");
        assertThat(refusal(good.toBuilder().setSrcEngine("").setSrcNode(ByteString.copyFrom(THIRD.publicKey())).build())
                .getMessage()).contains("src_engine is empty");
        assertThat(refusal(good.toBuilder().setExpiresAt(-1).build()).getMessage()).contains("negative");
        assertThat(refusal(good.toBuilder().setPayloadKindValue(9).build()).getMessage()).contains("payload_kind 9");
        assertThat(refusal(good.toBuilder().setPayloadKind(Data.PayloadKind.NONE).build()).getMessage()).contains("NONE");
        assertThat(refusal(good.toBuilder().setPayload(ByteString.copyFrom(new byte[] {(byte) 0xC3, 0x28})).build())
                .getMessage()).contains("Data seq 3", "not valid UTF-8");
    }
}
