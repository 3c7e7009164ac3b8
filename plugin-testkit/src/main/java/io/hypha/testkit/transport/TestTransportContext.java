package io.hypha.testkit.transport;

import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportCredentials;
import java.util.Objects;

/**
 * A {@link TransportContext} with fixed values, in place of the Transport engine's.
 *
 * @param credentials            the node's credentials
 * @param maxFrameSize           the largest frame sent or accepted, in bytes
 * @param handshakeTimeoutMillis how long a handshake may take
 * @param handler                who receives connections, frames and closes
 */
public record TestTransportContext(TransportCredentials credentials, int maxFrameSize, long handshakeTimeoutMillis,
                                   ConnectionHandler handler) implements TransportContext {
    /** The frame size every node must accept (docs/wire-protocol.md, section 2): 65,536 bytes. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65_536;
    /** A handshake timeout long enough for a loaded test machine: 10 seconds. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000L;

    /** @throws IllegalArgumentException if a limit is not positive */
    public TestTransportContext {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(handler, "handler");
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be at least 1, got " + maxFrameSize);
        }
        if (handshakeTimeoutMillis < 1) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be at least 1, got " + handshakeTimeoutMillis);
        }
    }

    /**
     * A context with the default limits.
     *
     * @param credentials the node's credentials
     * @param handler     the handler
     * @return the context
     */
    public static TestTransportContext of(TransportCredentials credentials, ConnectionHandler handler) {
        return new TestTransportContext(credentials, DEFAULT_MAX_FRAME_SIZE, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, handler);
    }

    /**
     * @param size the new maximum frame size
     * @return a copy with another maximum frame size
     */
    public TestTransportContext withMaxFrameSize(int size) {
        return new TestTransportContext(credentials, size, handshakeTimeoutMillis, handler);
    }
}
