package io.hypha.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final int MAX = 20_000;

    /** Bodies of sizes around every prefix-length step and the decoder's reuse threshold (8192). */
    private static final List<byte[]> BODIES = List.of(body(0), body(1), body(127), body(128), body(300), body(8192),
            body(8193), body(16_384), body(0), body(5));
    /** Fewer bytes, for the test that cuts the stream at every byte, but each decoder path still taken. */
    private static final List<byte[]> SMALLER = List.of(body(0), body(1), body(127), body(128), body(300), body(8193),
            body(0), body(5));

    private static byte[] body(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + length);
        }
        return bytes;
    }

    private static byte[] stream(List<byte[]> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : bodies) {
            ByteBuffer framed = LengthPrefix.prefixed(ByteBuffer.wrap(b));
            out.write(framed.array(), 0, framed.remaining());
        }
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /** Feeds the chunks in order and collects every frame, copying each before the next call. */
    private static List<byte[]> decode(FrameDecoder decoder, byte[]... chunks) throws FrameException {
        List<byte[]> frames = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuffer input = ByteBuffer.wrap(chunk);
            ByteBuffer frame;
            while ((frame = decoder.next(input)) != null) {
                frames.add(bytes(frame));
            }
            assertThat(input.hasRemaining()).as("the decoder consumes all input it is given").isFalse();
        }
        return frames;
    }

    private static FrameException failure(byte[] input) {
        FrameException e = catchThrowableOfType(() -> decode(new FrameDecoder(MAX), input), FrameException.class);
        assertThat(e).as("decoding should have failed").isNotNull();
        return e;
    }

    @Test
    void roundTripsFramesInOneBuffer() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);

        List<byte[]> frames = decode(decoder, stream(BODIES));

        assertThat(frames).containsExactlyElementsOf(BODIES);
        assertThat(decoder.inFrame()).isFalse();
        decoder.endOfInput();
    }

    @Test
    void decodesTheSameFramesWhateverByteTheStreamIsSplitAt() throws Exception {
        byte[] whole = stream(SMALLER);
        for (int cut = 0; cut <= whole.length; cut++) {
            FrameDecoder decoder = new FrameDecoder(MAX);
            List<byte[]> frames = new ArrayList<>();
            for (ByteBuffer chunk : List.of(ByteBuffer.wrap(whole, 0, cut), ByteBuffer.wrap(whole, cut, whole.length - cut))) {
                ByteBuffer frame;
                while ((frame = decoder.next(chunk)) != null) {
                    frames.add(bytes(frame));
                }
            }
            decoder.endOfInput();
            // A plain comparison first: thousands of AssertJ descriptions would dominate the test's time.
            if (!Arrays.deepEquals(frames.toArray(), SMALLER.toArray())) {
                assertThat(frames).as("split at %d", cut).containsExactlyElementsOf(SMALLER);
            }
        }
    }

    @Test
    void decodesAStreamThatArrivesOneByteAtATime() throws Exception {
        byte[] whole = stream(BODIES);
        byte[][] singles = new byte[whole.length][];
        for (int i = 0; i < whole.length; i++) {
            singles[i] = new byte[] {whole[i]};
        }

        assertThat(decode(new FrameDecoder(MAX), singles)).containsExactlyElementsOf(BODIES);
    }

    @Test
    void decodesManySmallFramesFromOneBuffer() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            bodies.add(body(i % 200));
        }

        assertThat(decode(new FrameDecoder(MAX), stream(bodies))).containsExactlyElementsOf(bodies);
    }

    @Test
    void returnsAnEmptyFrameForALengthOfZero() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);
        ByteBuffer input = ByteBuffer.wrap(new byte[] {0, 0});

        assertThat(decoder.next(input).remaining()).isZero();
        assertThat(decoder.next(input).remaining()).isZero();
        assertThat(decoder.next(input)).isNull();
    }

    @Test
    void waitsForMoreInputInsideAFrame() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);
        byte[] whole = stream(List.of(body(300)));

        assertThat(decoder.next(ByteBuffer.wrap(whole, 0, 1))).isNull();
        assertThat(decoder.inFrame()).isTrue();
        assertThat(decoder.next(ByteBuffer.wrap(whole, 1, 100))).isNull();
        assertThat(bytes(decoder.next(ByteBuffer.wrap(whole, 101, whole.length - 101)))).isEqualTo(body(300));
        assertThat(decoder.inFrame()).isFalse();
    }

    @Test
    void reportsAStreamThatEndsInsideABody() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);
        byte[] whole = stream(List.of(body(300)));
        decode(decoder, Arrays.copyOf(whole, 102));

        FrameException e = catchThrowableOfType(decoder::endOfInput, FrameException.class);

        assertThat(e.error()).isEqualTo(FrameError.TRUNCATED);
        assertThat(e.getMessage()).contains("200 bytes before the end of a 300-byte frame");
    }

    @Test
    void reportsAStreamThatEndsInsideALengthPrefix() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);
        decode(decoder, new byte[] {(byte) 0xAC});

        FrameException e = catchThrowableOfType(decoder::endOfInput, FrameException.class);

        assertThat(e.error()).isEqualTo(FrameError.TRUNCATED);
        assertThat(e.getMessage()).contains("length prefix");
    }

    @Test
    void acceptsTheMaximumAndRefusesOneByteMoreFromThePrefixAlone() throws Exception {
        FrameDecoder decoder = new FrameDecoder(300);
        assertThat(decode(decoder, stream(List.of(body(300))))).hasSize(1);

        FrameDecoder strict = new FrameDecoder(300);
        ByteBuffer input = ByteBuffer.allocate(3 + 301);
        LengthPrefix.put(301, input);
        input.flip();

        FrameException e = catchThrowableOfType(() -> strict.next(input), FrameException.class);

        assertThat(e.error()).isEqualTo(FrameError.OVERSIZE);
        assertThat(e.getMessage()).contains("301 bytes", "maximum is 300");
        assertThat(input.position()).as("nothing read past the prefix").isEqualTo(2);
    }

    @Test
    void refusesAHugeLengthWithoutWaitingForItsBody() {
        FrameException e = failure(HexFormat.of().parseHex("ffffffff0f"));

        assertThat(e.error()).isEqualTo(FrameError.OVERSIZE);
        assertThat(e.getMessage()).contains("4294967295 bytes");
    }

    @Test
    void refusesAVarintThatOverflowsSixtyFourBits() {
        assertThat(failure(HexFormat.of().parseHex("ffffffffffffffffff02")).error()).isEqualTo(FrameError.MALFORMED_VARINT);
        assertThat(failure(HexFormat.of().parseHex("ffffffffffffffffffff01")).error()).as("an 11th byte")
                .isEqualTo(FrameError.MALFORMED_VARINT);
    }

    @Test
    void readsAValidTenByteVarintAndRefusesItsLengthAsOversize() {
        // 2^63: the largest prefix that is well-formed, announcing a frame no node accepts.
        FrameException e = failure(HexFormat.of().parseHex("80808080808080808001"));

        assertThat(e.error()).isEqualTo(FrameError.OVERSIZE);
        assertThat(e.getMessage()).contains("9223372036854775808 bytes");
    }

    @Test
    void refusesALengthPrefixThatIsNotMinimallyEncoded() {
        assertThat(failure(new byte[] {(byte) 0x80, 0x00}).error()).isEqualTo(FrameError.MALFORMED_VARINT);
        assertThat(failure(new byte[] {(byte) 0x85, (byte) 0x80, 0x00}).error()).isEqualTo(FrameError.MALFORMED_VARINT);
    }

    @Test
    void keepsFailingAfterAFailure() {
        FrameDecoder decoder = new FrameDecoder(MAX);
        FrameException first = catchThrowableOfType(() -> decoder.next(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0})),
                FrameException.class);

        assertThat(decoder.failed()).isTrue();
        assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(new byte[] {1, 1}))).isSameAs(first);
        assertThatThrownBy(decoder::endOfInput).isSameAs(first);
    }

    @Test
    void answersGarbageWithFramesOrATypedErrorAndNothingElse() {
        Random random = new Random(42);
        for (int run = 0; run < 500; run++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            FrameDecoder decoder = new FrameDecoder(40);
            try {
                decode(decoder, garbage);
                decoder.endOfInput();
            } catch (FrameException e) {
                assertThat(e.error()).isIn(FrameError.TRUNCATED, FrameError.OVERSIZE, FrameError.MALFORMED_VARINT);
            }
        }
    }

    @Test
    void writesTheSamePrefixAsProtobufsDelimitedFormat() throws Exception {
        for (int length : new int[] {0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, Integer.MAX_VALUE}) {
            ByteBuffer ours = ByteBuffer.allocate(LengthPrefix.MAX_BYTES_FOR_INT);
            LengthPrefix.put(length, ours);
            byte[] theirs = new byte[CodedOutputStream.computeUInt32SizeNoTag(length)];
            CodedOutputStream out = CodedOutputStream.newInstance(theirs);
            out.writeUInt32NoTag(length);

            assertThat(Arrays.copyOf(ours.array(), ours.position())).as("length %d", length).isEqualTo(theirs);
            assertThat(LengthPrefix.size(length)).isEqualTo(theirs.length);
        }
        // And a frame written by protobuf's own writeDelimitedTo decodes.
        ByteArrayOutputStream delimited = new ByteArrayOutputStream();
        Frame.newBuilder().setAck(Ack.newBuilder().setSeq(7)).build().writeDelimitedTo(delimited);
        byte[] frame = decode(new FrameDecoder(MAX), delimited.toByteArray()).get(0);
        assertThat(Frame.parseFrom(ByteString.copyFrom(frame)).getAck().getSeq()).isEqualTo(7);
    }

    @Test
    void refusesANonPositiveMaximumAndNegativeLengths() {
        assertThatThrownBy(() -> new FrameDecoder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthPrefix.size(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
