package io.hypha.wire;

import java.nio.ByteBuffer;

/**
 * Splits a byte stream into frames: each a {@link LengthPrefix} followed by that many body bytes. Bytes may arrive
 * in chunks of any size, cut anywhere; the decoder keeps what it needs between calls.
 *
 * <p>Use one decoder per connection and direction, from one thread at a time (not thread-safe):
 * <pre>{@code
 * ByteBuffer frame;
 * while ((frame = decoder.next(received)) != null) {
 *     handler.onFrame(connection, frame);   // valid only until the next call to next()
 * }
 * // received is now fully consumed; at end of stream: decoder.endOfInput();
 * }</pre>
 *
 * <p>Limits: a length above the maximum is refused as {@link FrameError#OVERSIZE} as soon as the prefix is read, so a
 * peer can never make the decoder buffer more than the maximum. A body that arrives whole in one input buffer is
 * returned as a view of that buffer without copying; a body split across inputs is gathered in a buffer of exactly its
 * size (small ones in a buffer the decoder reuses).
 *
 * <p>Failures are final: after a {@link FrameException} every later call throws the same exception, because the
 * stream can no longer be known to be at a frame boundary. Close the connection.
 */
public final class FrameDecoder {
    /** Where the decoder is in the stream. */
    private enum State {
        /** Reading a length prefix (possibly part way through it). */
        LENGTH,
        /** Reading a body of {@code bodyLength} bytes (possibly part way through it). */
        BODY,
        /** A failure was reported; nothing more is read. */
        FAILED
    }

    /** Bodies up to this size are gathered in one reused buffer; larger ones get their own. */
    private static final int REUSED_BUFFER_SIZE = 8192;

    private final int maxFrameSize;
    private State state = State.LENGTH;
    /** The varint read so far (its low bits). */
    private long length;
    /** How many prefix bytes have been read. */
    private int lengthBytes;
    private int bodyLength;
    /** The body being gathered across inputs, or {@code null} when none is. */
    private ByteBuffer body;
    private ByteBuffer reused;
    private FrameException failure;

    /**
     * @param maxFrameSize the largest body accepted, in bytes (at least 1)
     * @throws IllegalArgumentException if {@code maxFrameSize} is less than 1
     */
    public FrameDecoder(int maxFrameSize) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be at least 1, got " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /** @return the largest body accepted, in bytes */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Reads from {@code input} until a frame is complete or the input is used up.
     *
     * @param input bytes that arrived; its position advances past every byte read
     * @return the next frame's body (its remaining bytes; possibly empty), or {@code null} if {@code input} ran out
     *         first. The body is valid only until the next call, and only while the caller leaves {@code input}
     *         unchanged: it may be a view of {@code input}. It must not be modified.
     * @throws FrameException with {@link FrameError#OVERSIZE} or {@link FrameError#MALFORMED_VARINT}; final
     */
    public ByteBuffer next(ByteBuffer input) throws FrameException {
        while (true) {
            switch (state) {
                case LENGTH -> {
                    if (!readLength(input)) {
                        return null;
                    }
                    if (bodyLength == 0) {
                        return ByteBuffer.allocate(0);
                    }
                    state = State.BODY;
                }
                case BODY -> {
                    return readBody(input);
                }
                case FAILED -> throw failure;
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * Declares that the stream ended (the peer closed it).
     *
     * @throws FrameException with {@link FrameError#TRUNCATED} if the stream ended inside a frame, or the earlier
     *                        failure if there was one
     */
    public void endOfInput() throws FrameException {
        switch (state) {
            case LENGTH -> {
                if (lengthBytes > 0) {
                    throw fail(FrameError.TRUNCATED, "the stream ended inside a frame's length prefix, after "
                            + lengthBytes + " of its bytes");
                }
            }
            case BODY -> {
                int read = body == null ? 0 : body.position();
                throw fail(FrameError.TRUNCATED, "the stream ended " + (bodyLength - read) + " bytes before the end of a "
                        + bodyLength + "-byte frame");
            }
            case FAILED -> throw failure;
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** @return whether bytes of an incomplete frame are held (a prefix or a body begun) */
    public boolean inFrame() {
        return state == State.BODY || (state == State.LENGTH && lengthBytes > 0);
    }

    /** @return whether a failure was reported; the decoder then reads nothing more */
    public boolean failed() {
        return state == State.FAILED;
    }

    /** @return true when a whole prefix was read and {@code bodyLength} set */
    private boolean readLength(ByteBuffer input) throws FrameException {
        while (input.hasRemaining()) {
            int b = input.get() & 0xFF;
            lengthBytes++;
            // The 10th byte holds bit 63 only: 0 or 1 and no continuation. Anything else overflows 64 bits.
            if (lengthBytes == LengthPrefix.MAX_VARINT_BYTES && b > 1) {
                throw fail(FrameError.MALFORMED_VARINT, "the length prefix runs past 10 bytes or 64 bits");
            }
            length |= (long) (b & 0x7F) << (7 * (lengthBytes - 1));
            if (b < 0x80) {
                if (b == 0 && lengthBytes > 1) {
                    throw fail(FrameError.MALFORMED_VARINT, "the length prefix is not minimally encoded (a trailing zero"
                            + " group in byte " + lengthBytes + ")");
                }
                long value = length;
                length = 0;
                lengthBytes = 0;
                if (value < 0 || value > maxFrameSize) {
                    throw fail(FrameError.OVERSIZE, "a frame of " + Long.toUnsignedString(value)
                            + " bytes is announced; the maximum is " + maxFrameSize);
                }
                bodyLength = (int) value;
                return true;
            }
        }
        return false;
    }

    private ByteBuffer readBody(ByteBuffer input) {
        if (body == null) {
            if (input.remaining() >= bodyLength) {
                // The whole body is here: hand out a view, copy nothing.
                ByteBuffer frame = input.slice(input.position(), bodyLength);
                input.position(input.position() + bodyLength);
                state = State.LENGTH;
                return frame;
            }
            body = bodyLength <= REUSED_BUFFER_SIZE ? reusedBuffer().clear().limit(bodyLength) : ByteBuffer.allocate(bodyLength);
        }
        int n = Math.min(input.remaining(), body.remaining());
        body.put(body.position(), input, input.position(), n);
        body.position(body.position() + n);
        input.position(input.position() + n);
        if (body.hasRemaining()) {
            return null;
        }
        ByteBuffer frame = body.flip();
        body = null;
        state = State.LENGTH;
        return frame;
    }

    private ByteBuffer reusedBuffer() {
        if (reused == null) {
            reused = ByteBuffer.allocate(Math.min(REUSED_BUFFER_SIZE, maxFrameSize));
        }
        return reused;
    }

    private FrameException fail(FrameError error, String message) {
        failure = new FrameException(error, message, null);
        state = State.FAILED;
        body = null;
        return failure;
    }
}
