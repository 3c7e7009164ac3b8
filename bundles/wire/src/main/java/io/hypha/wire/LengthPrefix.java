package io.hypha.wire;

import java.nio.ByteBuffer;

/**
 * The length prefix of a frame on a byte stream: the body length as an unsigned LEB128 varint (7 bits per byte,
 * least significant group first, high bit set on every byte but the last), minimally encoded. This is the prefix of
 * Protocol Buffers' {@code writeDelimitedTo}, so any protobuf library can produce it.
 */
public final class LengthPrefix {
    /** Longest prefix of a frame length (an {@code int}): 5 bytes. */
    public static final int MAX_BYTES_FOR_INT = 5;
    /** Longest varint a decoder reads before refusing the prefix. */
    public static final int MAX_VARINT_BYTES = 10;

    private LengthPrefix() {
    }

    /**
     * @param length a frame length
     * @return how many bytes its prefix takes (1 to 5)
     * @throws IllegalArgumentException if the length is negative
     */
    public static int size(int length) {
        checkLength(length);
        int bytes = 1;
        while ((length >>>= 7) != 0) {
            bytes++;
        }
        return bytes;
    }

    /**
     * Writes the prefix of a frame of {@code length} bytes.
     *
     * @param length the frame length
     * @param dst    where to write; its position advances by {@link #size(int)}
     * @throws IllegalArgumentException if the length is negative
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than {@link #size(int)}
     */
    public static void put(int length, ByteBuffer dst) {
        checkLength(length);
        while ((length & ~0x7F) != 0) {
            dst.put((byte) ((length & 0x7F) | 0x80));
            length >>>= 7;
        }
        dst.put((byte) length);
    }

    /**
     * Frames a body for a byte stream: prefix and body in one new buffer.
     *
     * @param body the frame body; its remaining bytes are copied and its position is left unchanged
     * @return a buffer ready to read, holding the prefix followed by the body
     */
    public static ByteBuffer prefixed(ByteBuffer body) {
        int length = body.remaining();
        ByteBuffer out = ByteBuffer.allocate(size(length) + length);
        put(length, out);
        out.put(body.duplicate());
        return out.flip();
    }

    private static void checkLength(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("a frame length cannot be negative: " + length);
        }
    }
}
