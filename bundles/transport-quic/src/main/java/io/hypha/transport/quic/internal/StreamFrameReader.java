package io.hypha.transport.quic.internal;

import io.hypha.wire.FrameDecoder;
import io.hypha.wire.FrameException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads length-prefixed frames from a QUIC stream's blocking input: the authentication messages first, then the
 * Transport engine's frames, with the same buffer, so bytes that arrive together with the last authentication message
 * are not lost. Used by one thread at a time (not thread-safe).
 */
final class StreamFrameReader {
    private final InputStream in;
    private final FrameDecoder decoder;
    private final ByteBuffer buffer;

    /**
     * @param in           the stream's input
     * @param maxFrameSize the largest frame accepted
     * @param bufferSize   how many bytes one read may take
     */
    StreamFrameReader(InputStream in, int maxFrameSize, int bufferSize) {
        this.in = in;
        this.decoder = new FrameDecoder(maxFrameSize);
        this.buffer = ByteBuffer.allocate(bufferSize).flip();
    }

    /**
     * Blocks until a whole frame is there.
     *
     * @return the frame body, valid until the next call; {@code null} if the stream ended at a frame boundary
     * @throws FrameException if the bytes are not a frame (oversize, malformed prefix, truncated)
     * @throws IOException    if reading fails (the connection closed)
     */
    ByteBuffer next() throws FrameException, IOException {
        while (true) {
            ByteBuffer frame = decoder.next(buffer);
            if (frame != null) {
                return frame;
            }
            // The decoder has taken every byte of the buffer (it copies a partial body), so it can be refilled.
            buffer.clear();
            int n = in.read(buffer.array(), 0, buffer.capacity());
            if (n < 0) {
                buffer.limit(0);
                decoder.endOfInput();
                return null;
            }
            buffer.limit(n);
        }
    }
}
