package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.wire.Ack;
import io.hypha.wire.Data;
import io.hypha.wire.EnvelopeFrames;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameCodec;
import io.hypha.wire.FrameException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The one-pass decoder agrees with {@link FrameCodec} + {@link EnvelopeFrames} on every input. */
class DataDecoderTest {
    private static final NodeId PEER = node(1);
    private final FrameCodec codec = new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE * 2);
    private final Link link = Link.outbound(1, null, URI.create("memq://h:1"), null);

    private static NodeId node(int b) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) b);
        return NodeId.of(key);
    }

    /** @return what the general path makes of a body: the envelope with its seq, another kind, or "malformed" */
    private String general(byte[] body) {
        try {
            Frame f = codec.decode(ByteBuffer.wrap(body));
            if (f.getKindCase() != Frame.KindCase.DATA) {
                return "other " + f.getKindCase();
            }
            return describe(f.getData().getSeq(), EnvelopeFrames.toEnvelope(f.getData(), PEER));
        } catch (FrameException e) {
            return "malformed";
        }
    }

    /** @return what the fast path makes of it, falling back to the general path as the engine does */
    private String fast(byte[] body) {
        try {
            ByteBuffer b = ByteBuffer.wrap(body);
            Envelope e = DataDecoder.decode(b, PEER, link);
            assertThat(b.position()).as("the input is left as it was").isZero();
            return e == null ? general(body) : describe(link.decodedSeq, e);
        } catch (FrameException e) {
            return "malformed";
        }
    }

    private static String describe(long seq, Envelope e) {
        Object p = e.payload();
        return seq + "|" + e.src() + "|" + e.dst() + "|" + e.id() + "|" + e.inReplyTo() + "|" + e.expiresAt() + "|" + e.type()
                + "|" + (p == null ? "null" : p instanceof byte[] b ? "bytes" + Arrays.toString(b) : "text:" + p);
    }

    private static byte[] data(Data.Builder d) {
        return Frame.newBuilder().setData(d).build().toByteArray();
    }

    static List<Envelope> envelopes() {
        return DataFramesTest.envelopes().toList();
    }

    @ParameterizedTest
    @MethodSource("envelopes")
    void everyEncodedMessageIsReadBackAsTheGeneralPathReadsIt(Envelope envelope) {
        byte[] body = DataFrames.encodeBody(envelope, node(2));
        ByteBuffer out = ByteBuffer.allocate(DataFrames.dataFrameSize(77, body.length));
        DataFrames.putData(out, 77, body);

        String fast = fast(out.array());

        assertThat(fast).isEqualTo(general(out.array())).startsWith("77|");
    }

    @Test
    void unusualFramesAreLeftToTheGeneralPath() throws FrameException {
        Data.Builder d = Data.newBuilder().setSeq(3).setDstEngine("sink").setType("t");
        byte[] ack = Frame.newBuilder().setAck(Ack.newBuilder().setSeq(4)).build().toByteArray();
        byte[] dataThenAck = concat(data(d), ack);
        byte[] twoDatas = concat(data(d), data(Data.newBuilder().setId(9)));
        byte[] wrongWireType = concat(new byte[] {0x1a, 0x0c}, new byte[] {0x22, 0x04, 's', 'i', 'n', 'k', 0x08, 0x03, 0x2d, 1, 2, 3});

        for (byte[] body : List.of(ack, dataThenAck, twoDatas, wrongWireType)) {
            assertThat(DataDecoder.decode(ByteBuffer.wrap(body), PEER, link)).isNull();
            assertThat(fast(body)).isEqualTo(general(body));
        }
        assertThat(general(twoDatas)).as("the general path merges both Data messages").contains("|9|");
    }

    @Test
    void invalidDataIsMalformedOnBothPaths() {
        List<byte[]> bodies = List.of(
                data(Data.newBuilder().setSeq(1).setDstEngine("bad name")),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setSrcNode(ByteString.copyFrom(new byte[31])).setSrcEngine("e")),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setSrcNode(ByteString.copyFrom(new byte[32]))),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setExpiresAt(-1)),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setPayloadKindValue(7)),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setPayload(ByteString.copyFromUtf8("x"))),
                data(Data.newBuilder().setSeq(1).setDstEngine("sink").setPayloadKind(Data.PayloadKind.UTF8)
                        .setPayload(ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28}))),
                new byte[] {0x1a, 0x06, 0x22, 0x02, (byte) 0xc3, 0x28, 0x08, 0x01},
                new byte[] {0x1a, 0x09, 0x08});
        for (byte[] body : bodies) {
            assertThat(general(body)).as(Arrays.toString(body)).isEqualTo("malformed");
            assertThatThrownBy(() -> DataDecoder.decode(ByteBuffer.wrap(body), PEER, link)).isInstanceOf(FrameException.class);
        }
    }

    @Test
    void mangledFramesGetTheSameVerdictOnBothPaths() {
        SplittableRandom random = new SplittableRandom(7);
        List<Envelope> samples = envelopes();
        int agreedValid = 0;
        for (int i = 0; i < 20_000; i++) {
            Envelope e = samples.get(random.nextInt(samples.size()));
            byte[] body = DataFrames.encodeBody(e, node(2));
            ByteBuffer out = ByteBuffer.allocate(DataFrames.dataFrameSize(i + 1, body.length));
            DataFrames.putData(out, i + 1, body);
            byte[] frame = out.array();
            if (frame.length > 2000) {
                frame = Arrays.copyOf(frame, 2000);
            }
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                switch (random.nextInt(3)) {
                    case 0 -> frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
                    case 1 -> frame = Arrays.copyOf(frame, Math.max(1, random.nextInt(frame.length + 1)));
                    default -> frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            String expected = general(frame);
            assertThat(fast(frame)).as("input %s", Arrays.toString(frame)).isEqualTo(expected);
            if (!expected.equals("malformed")) {
                agreedValid++;
            }
        }
        assertThat(agreedValid).as("the fuzzing also produced valid frames").isPositive();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aSourceOnAnotherNodeIsReadWithThatNode() {
        Envelope e = Envelope.builder().src(EngineAddress.of(node(5), "relay")).dst(EngineAddress.local("sink")).type("t")
                .payload(new byte[] {9}).build();
        byte[] body = DataFrames.encodeBody(e, node(2));
        ByteBuffer out = ByteBuffer.allocate(DataFrames.dataFrameSize(1, body.length));
        DataFrames.putData(out, 1, body);

        assertThat(fast(out.array())).contains("relay@" + node(5)).isEqualTo(general(out.array()));
    }
}
