package io.hypha.testkit.transport;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Frames whose every byte can be checked: an 8-byte header (a stream tag and an index, big-endian) followed by a
 * pattern that depends on both, so a frame cut short, padded, reordered or mixed with another shows up.
 */
public final class TestFrames {
    /** The smallest frame {@link #frame} makes: the header alone. */
    public static final int HEADER_SIZE = 8;

    private TestFrames() {
    }

    /**
     * @param tag   which stream of frames (a sender, a direction)
     * @param index the frame's position in its stream
     * @param size  the frame size, at least {@link #HEADER_SIZE}
     * @return a new buffer ready to read
     * @throws IllegalArgumentException if {@code size} is below {@link #HEADER_SIZE}
     */
    public static ByteBuffer frame(int tag, int index, int size) {
        if (size < HEADER_SIZE) {
            throw new IllegalArgumentException("a test frame has at least " + HEADER_SIZE + " bytes, got " + size);
        }
        ByteBuffer frame = ByteBuffer.allocate(size);
        frame.putInt(tag).putInt(index);
        for (int i = HEADER_SIZE; i < size; i++) {
            frame.put(pattern(tag, index, i));
        }
        return frame.flip();
    }

    /**
     * @param tag   the stream
     * @param index the position
     * @param size  the size
     * @return the bytes of {@link #frame}
     */
    public static byte[] bytes(int tag, int index, int size) {
        return frame(tag, index, size).array();
    }

    /**
     * @param frame a received frame
     * @return its stream tag
     * @throws AssertionError if the frame is not a whole test frame
     */
    public static int tag(byte[] frame) {
        check(frame);
        return ByteBuffer.wrap(frame).getInt(0);
    }

    /**
     * @param frame a received frame
     * @return its index
     * @throws AssertionError if the frame is not a whole test frame
     */
    public static int index(byte[] frame) {
        check(frame);
        return ByteBuffer.wrap(frame).getInt(4);
    }

    /**
     * @param frame a received frame
     * @throws AssertionError if it is shorter than the header or a byte differs from the pattern
     */
    public static void check(byte[] frame) {
        if (frame.length < HEADER_SIZE) {
            throw new AssertionError("a frame of " + frame.length + " bytes is not a test frame: " + Arrays.toString(frame));
        }
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        int tag = buffer.getInt(0);
        int index = buffer.getInt(4);
        for (int i = HEADER_SIZE; i < frame.length; i++) {
            if (frame[i] != pattern(tag, index, i)) {
                throw new AssertionError("frame " + index + " of stream " + tag + " (" + frame.length
                        + " bytes) differs from what was sent at byte " + i);
            }
        }
    }

    private static byte pattern(int tag, int index, int position) {
        return (byte) (position * 31 + index * 17 + tag * 7 + (position >>> 8));
    }
}
