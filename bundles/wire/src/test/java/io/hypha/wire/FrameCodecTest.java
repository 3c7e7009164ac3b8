package io.hypha.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final ByteString NODE_A = ByteString.copyFrom(filled(32, 0xA1));
    private static final ByteString NODE_B = ByteString.copyFrom(filled(32, 0xB2));

    private final FrameCodec codec = new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE);

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** One frame of every kind, with every field set. */
    static List<Frame> everyKind() {
        return List.of(
                Frame.newBuilder().setHello(Hello.newBuilder().setMinVersion(1).setMaxVersion(3).setNodeId(NODE_A)
                        .setDialledNodeId(NODE_B).setAdvertVersion(12).setKnownAdvertVersion(4).setSessionEpoch(-5L)
                        .setAckedEpoch(99L).setAckedSeq(1000).setMaxFrameSize(1 << 20)).build(),
                Frame.newBuilder().setHelloReply(HelloReply.newBuilder().setResult(HelloReply.Result.OK).setChosenVersion(1)
                        .setReason("fine").setMinVersion(1).setMaxVersion(1).setAdvertVersion(3).setKnownAdvertVersion(12)
                        .setSessionEpoch(77L).setAckedEpoch(-5L).setAckedSeq(17).setMaxFrameSize(65_536)).build(),
                Frame.newBuilder().setData(Data.newBuilder().setSeq(1001).setSrcEngine("echo").setSrcNode(NODE_A)
                        .setDstEngine("sink").setId(123_456_789L).setInReplyTo(42).setExpiresAt(1_900_000_000_000L)
                        .setType("echo.request").setPayloadKind(Data.PayloadKind.UTF8).setPayload(ByteString.copyFromUtf8("héllo")))
                        .build(),
                Frame.newBuilder().setAck(Ack.newBuilder().setSeq(Long.MAX_VALUE)).build(),
                Frame.newBuilder().setPing(Ping.newBuilder().setNonce(-1L).setSentAt(123_456_789_000L)).build(),
                Frame.newBuilder().setPong(Pong.newBuilder().setNonce(8L).setSentAt(-3L)).build());
    }

    private FrameException failure(ByteBuffer body) {
        FrameException e = catchThrowableOfType(() -> codec.decode(body), FrameException.class);
        assertThat(e).as("decode should have failed").isNotNull();
        return e;
    }

    @Test
    void roundTripsEveryFrameKind() throws Exception {
        for (Frame frame : everyKind()) {
            ByteBuffer body = codec.encode(frame);
            assertThat(body.remaining()).isEqualTo(frame.getSerializedSize());

            assertThat(codec.decode(body)).isEqualTo(frame);
            assertThat(body.hasRemaining()).as("decode consumes the body").isFalse();
        }
    }

    @Test
    void roundTripsDelimitedFramesSplitAtEveryByte() throws Exception {
        List<Frame> frames = everyKind();
        ByteBuffer all = ByteBuffer.allocate(4096);
        for (Frame frame : frames) {
            all.put(codec.encodeDelimited(frame));
        }
        byte[] stream = Arrays.copyOf(all.array(), all.position());

        for (int cut = 0; cut <= stream.length; cut++) {
            FrameDecoder decoder = codec.newDecoder();
            List<Frame> decoded = new ArrayList<>();
            for (ByteBuffer chunk : List.of(ByteBuffer.wrap(stream, 0, cut), ByteBuffer.wrap(stream, cut, stream.length - cut))) {
                ByteBuffer body;
                while ((body = decoder.next(chunk)) != null) {
                    decoded.add(codec.decode(body));
                }
            }
            decoder.endOfInput();
            assertThat(decoded).as("split at %d", cut).isEqualTo(frames);
        }
    }

    @Test
    void refusesAnEmptyFrameBecauseItCarriesNoKind() {
        FrameException e = failure(ByteBuffer.allocate(0));

        assertThat(e.error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
        assertThat(e.getMessage()).contains("no kind");
    }

    @Test
    void refusesToEncodeAFrameWithoutAKind() {
        assertThatThrownBy(() -> codec.encode(Frame.getDefaultInstance()))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.MALFORMED_MESSAGE));
    }

    @Test
    void refusesAFrameKindFromANewerVersion() {
        // Field 7 (reserved for a future kind), length-delimited, 1 byte.
        FrameException e = failure(ByteBuffer.wrap(new byte[] {0x3A, 0x01, 0x00}));

        assertThat(e.error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
        assertThat(e.getMessage()).contains("unknown fields [7]");
    }

    @Test
    void refusesGarbage() {
        // Field 1 (hello) announced as 5 bytes long, with only 1 following; then an invalid wire type.
        assertThat(failure(ByteBuffer.wrap(new byte[] {0x0A, 0x05, 0x08})).error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
        assertThat(failure(ByteBuffer.wrap(new byte[] {0x0F, 0x01})).error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
        assertThat(failure(ByteBuffer.wrap(filled(40, 0xFF))).error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
    }

    @Test
    void refusesInvalidUtf8InAStringField() throws Exception {
        Frame frame = Frame.newBuilder().setData(Data.newBuilder().setSeq(1).setType("x")).build();
        byte[] body = frame.toByteArray();
        // The type field's single character 'x' is replaced by a lone continuation byte.
        for (int i = 0; i < body.length; i++) {
            if (body[i] == 'x') {
                body[i] = (byte) 0x80;
            }
        }

        assertThat(failure(ByteBuffer.wrap(body)).error()).isEqualTo(FrameError.MALFORMED_MESSAGE);
    }

    @Test
    void refusesFramesOverTheMaximumBothWays() {
        Frame big = Frame.newBuilder().setData(Data.newBuilder().setSeq(1).setPayloadKind(Data.PayloadKind.BYTES)
                .setPayload(ByteString.copyFrom(new byte[FrameCodec.MIN_MAX_FRAME_SIZE]))).build();

        assertThatThrownBy(() -> codec.encode(big))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.OVERSIZE));
        assertThatThrownBy(() -> codec.encodeDelimited(big))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.OVERSIZE));
        assertThat(failure(ByteBuffer.wrap(big.toByteArray())).error()).isEqualTo(FrameError.OVERSIZE);
        assertThat(FrameError.OVERSIZE.transportError()).isEqualTo(io.hypha.api.transport.TransportError.FRAME_TOO_LARGE);
    }

    @Test
    void refusesAMaximumBelowTheProtocolMinimum() {
        assertThatThrownBy(() -> new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    }
}
