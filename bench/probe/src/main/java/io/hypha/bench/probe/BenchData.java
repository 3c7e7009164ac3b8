package io.hypha.bench.probe;

import java.nio.ByteBuffer;

/**
 * The header of one node-to-node benchmark message ({@value #TYPE}, from {@link BenchSource} to {@link BenchSink}).
 * It tells the sink everything it needs to time and credit the run, so the sink needs no set-up command; the rest of
 * the payload is zeros (the benchmark measures moving bytes, not making or checking them).
 *
 * <pre>
 *   [run: 8][seq: 8][count: 8][warmup: 8][creditEvery: 8][zeros: size - 40]   big-endian
 * </pre>
 *
 * @param run         the run's id
 * @param seq         the message's number in the run, from 1
 * @param count       messages in the run, warm-up included
 * @param warmup      how many of the first messages are not timed
 * @param creditEvery how many new messages the sink receives before it credits the source
 */
record BenchData(long run, long seq, long count, long warmup, long creditEvery) {
    /** Message type of benchmark data. */
    static final String TYPE = "bench.data";
    /** Smallest payload: the header. */
    static final int MIN_SIZE = 40;
    /** Largest payload (below the transport's default frame limit of 1 MiB with room for the envelope). */
    static final int MAX_SIZE = 512 * 1024;

    /**
     * @param size the payload size, at least {@value #MIN_SIZE}
     * @return a fresh payload of {@code size} bytes carrying this header
     */
    byte[] encode(int size) {
        byte[] bytes = new byte[size];
        ByteBuffer.wrap(bytes).putLong(run).putLong(seq).putLong(count).putLong(warmup).putLong(creditEvery);
        return bytes;
    }

    /**
     * @param payload a received payload
     * @return its header, or {@code null} if it is not a benchmark payload
     */
    static BenchData decode(Object payload) {
        if (!(payload instanceof byte[] bytes) || bytes.length < MIN_SIZE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new BenchData(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }
}
