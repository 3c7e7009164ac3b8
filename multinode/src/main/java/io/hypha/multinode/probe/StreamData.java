package io.hypha.multinode.probe;

import java.nio.ByteBuffer;

/**
 * The payload of one stream message ({@value #TYPE}): the run it belongs to, its sequence number, and filler bytes
 * derived from both, so that the sink can tell a damaged payload from a good one.
 *
 * <pre>
 *   [run id: 8 bytes][seq: 8 bytes][filler: size - 16 bytes, byte i = (byte) (seq * 31 + i)]   big-endian
 * </pre>
 *
 * @param run  the run's id
 * @param seq  the message's number in its run, from 1
 * @param size the payload size in bytes
 */
record StreamData(long run, long seq, int size) {
    /** Message type of stream messages. */
    static final String TYPE = "stream.data";
    /** Smallest payload: run id and seq. */
    static final int MIN_SIZE = 16;
    /** Largest payload accepted (well below the transport's frame limit). */
    static final int MAX_SIZE = 60_000;

    /** @return the payload bytes */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(run).putLong(seq);
        for (int i = MIN_SIZE; i < size; i++) {
            b.put(filler(seq, i));
        }
        return b.array();
    }

    /**
     * @param payload a received payload
     * @return what it carries, or {@code null} if it is not a stream payload or its filler is damaged
     */
    static StreamData decode(Object payload) {
        if (!(payload instanceof byte[] bytes) || bytes.length < MIN_SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long run = b.getLong();
        long seq = b.getLong();
        for (int i = MIN_SIZE; i < bytes.length; i++) {
            if (bytes[i] != filler(seq, i)) {
                return null;
            }
        }
        return new StreamData(run, seq, bytes.length);
    }

    private static byte filler(long seq, int index) {
        return (byte) (seq * 31 + index);
    }
}
