package io.hypha.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns {@link Frame} messages into frame bytes and back, within a maximum frame size. Immutable and thread-safe.
 *
 * <p>Two levels, for the two users of frames:
 * <ul>
 *   <li>{@link #encode} / {@link #decode}: a frame's body alone, for the Transport engine, whose
 *       {@code Connection.send} and {@code onFrame} move whole frames;</li>
 *   <li>{@link #encodeDelimited} / {@link #newDecoder()}: body with its {@link LengthPrefix}, for a transport
 *       protocol that carries frames on a byte stream.</li>
 * </ul>
 */
public final class FrameCodec {
    /**
     * The largest frame every node must accept, whatever it announces: handshake frames are sent before the peer's
     * maximum is known, and always fit.
     */
    public static final int MIN_MAX_FRAME_SIZE = 65_536;

    private final int maxFrameSize;

    /**
     * @param maxFrameSize the largest frame body, in bytes, written or accepted; at least {@link #MIN_MAX_FRAME_SIZE}
     * @throws IllegalArgumentException if it is smaller
     */
    public FrameCodec(int maxFrameSize) {
        if (maxFrameSize < MIN_MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize must be at least " + MIN_MAX_FRAME_SIZE + ", got " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /** @return the largest frame body, in bytes, written or accepted */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Encodes a frame's body.
     *
     * @param frame the frame
     * @return a new buffer holding the body, ready to read
     * @throws FrameException with {@link FrameError#OVERSIZE} if the body is larger than the maximum, or
     *                        {@link FrameError#MALFORMED_MESSAGE} if the frame has no kind set
     */
    public ByteBuffer encode(Frame frame) throws FrameException {
        int size = checkedSize(frame);
        ByteBuffer out = ByteBuffer.allocate(size);
        write(frame, out);
        return out.flip();
    }

    /**
     * Encodes a frame with its length prefix, for a byte stream.
     *
     * @param frame the frame
     * @return a new buffer holding prefix and body, ready to read
     * @throws FrameException as {@link #encode}
     */
    public ByteBuffer encodeDelimited(Frame frame) throws FrameException {
        int size = checkedSize(frame);
        ByteBuffer out = ByteBuffer.allocate(LengthPrefix.size(size) + size);
        LengthPrefix.put(size, out);
        write(frame, out);
        return out.flip();
    }

    /**
     * Decodes a frame's body.
     *
     * @param body the body's bytes (its remaining bytes); its position advances to its limit
     * @return the frame, with a known kind set
     * @throws FrameException with {@link FrameError#OVERSIZE} if the body is larger than the maximum, or
     *                        {@link FrameError#MALFORMED_MESSAGE} if it is not a valid {@link Frame} (including
     *                        invalid UTF-8 in a string field) or carries no kind this node knows
     */
    public Frame decode(ByteBuffer body) throws FrameException {
        int size = body.remaining();
        if (size > maxFrameSize) {
            throw new FrameException(FrameError.OVERSIZE, "a frame of " + size + " bytes arrived; the maximum is "
                    + maxFrameSize, null);
        }
        Frame frame;
        try {
            frame = Frame.parseFrom(body.duplicate());
        } catch (InvalidProtocolBufferException e) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "the frame is not a valid Frame message ("
                    + e.getMessage() + ")", e);
        }
        body.position(body.limit());
        if (frame.getKindCase() == Frame.KindCase.KIND_NOT_SET) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "the frame carries no kind this node knows"
                    + (frame.getUnknownFields().asMap().isEmpty() ? "" : " (unknown fields "
                    + frame.getUnknownFields().asMap().keySet() + ")"), null);
        }
        return frame;
    }

    /** @return a new decoder of length-prefixed frames with this codec's maximum */
    public FrameDecoder newDecoder() {
        return new FrameDecoder(maxFrameSize);
    }

    private int checkedSize(Frame frame) throws FrameException {
        if (frame.getKindCase() == Frame.KindCase.KIND_NOT_SET) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "a frame without a kind cannot be sent", null);
        }
        int size = frame.getSerializedSize();
        if (size > maxFrameSize) {
            throw new FrameException(FrameError.OVERSIZE, "the frame is " + size + " bytes; the maximum is "
                    + maxFrameSize, null);
        }
        return size;
    }

    private static void write(Frame frame, ByteBuffer out) {
        try {
            CodedOutputStream stream = CodedOutputStream.newInstance(out);
            frame.writeTo(stream);
            stream.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing into a buffer of the computed size cannot fail", e);
        }
    }
}
