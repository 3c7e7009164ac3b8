package io.hypha.transport.quic.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The write side of a kwik stream, with what the {@link Watchdog} needs to work around kwik's lost send request and
 * to see a stall (STALL.md).
 *
 * <p>kwik 0.10.9 can leave written bytes in a stream's send buffer with no send request queued for them
 * ({@code StreamOutputStreamImpl.scheduleSendStreamFrameRequest} counts a request only after queueing it, so a
 * request that runs in between drives the counter to -1 and a concurrent schedule is skipped). Any later write queues
 * a new request and the bytes go out. {@link #kick} is such a write, of zero bytes, made by the watchdog while bytes
 * may be waiting: while a write blocks, and for a while after the last one.
 *
 * <p>{@link #write} is called by one thread at a time (the handshake, then the connection's writer); {@link #kick} by
 * the watchdog, concurrently: kwik's send buffer takes a zero-length write from another thread safely (a concurrent
 * queue and an atomic counter).
 */
final class StreamOutput {
    private static final byte[] NOTHING = new byte[0];

    private final OutputStream out;
    /** {@link System#nanoTime()} when the write in progress started, or 0 when none is. */
    private volatile long writeStarted;
    /** {@link System#nanoTime()} when the last write returned. */
    private volatile long lastWrite;

    /** @param out the stream's output (kwik's blocking output stream) */
    StreamOutput(OutputStream out) {
        this.out = out;
        this.lastWrite = System.nanoTime();
    }

    /**
     * Writes bytes; blocks while kwik's send buffer is full.
     *
     * @throws IOException if the stream or connection closed
     */
    void write(byte[] bytes, int offset, int length) throws IOException {
        long now = System.nanoTime();
        writeStarted = now == 0 ? 1 : now;
        try {
            out.write(bytes, offset, length);
        } finally {
            writeStarted = 0;
            lastWrite = System.nanoTime();
        }
    }

    /**
     * Queues a fresh kwik send request with a zero-length write, if bytes may be waiting in kwik's send buffer: while
     * a write blocks, or within {@code windowNanos} of the last write.
     *
     * @param now         {@link System#nanoTime()}
     * @param windowNanos how long after a write to go on kicking
     * @return whether it kicked
     */
    boolean kick(long now, long windowNanos) {
        if (writeStarted == 0 && now - lastWrite > windowNanos) {
            return false;
        }
        try {
            out.write(NOTHING, 0, 0);
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // closed: the connection reports it
        }
    }

    /**
     * @param now {@link System#nanoTime()}
     * @return how long the write in progress has been blocked, in nanoseconds; 0 when no write is in progress
     */
    long blockedFor(long now) {
        long started = writeStarted;
        return started == 0 ? 0 : Math.max(0, now - started);
    }
}
