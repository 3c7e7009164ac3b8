package io.hypha.api.transport;

import io.hypha.api.NodeId;
import java.net.URI;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** One authenticated, encrypted connection to a peer. Implemented by transport protocols; thread-safe. */
@ConsumerType
public interface Connection {
    /** @return the authenticated peer */
    NodeId peer();

    /** @return the peer's address in the protocol's scheme */
    URI remoteAddress();

    /** @return whether this side dialled the connection */
    boolean outbound();

    /**
     * Queues a frame for sending. Never blocks.
     *
     * @param frame the frame; its remaining bytes are copied or fully consumed before the call returns
     * @return {@code false} if the connection's outbound buffer is full or the connection is closed; the frame was
     *         not taken, and {@link ConnectionHandler#onWritable} follows when it can take frames again
     * @throws IllegalArgumentException if the frame is larger than {@link TransportContext#maxFrameSize()}
     */
    boolean send(ByteBuffer frame);

    /** @return whether the connection is open */
    boolean isOpen();

    /** Closes the connection; {@link ConnectionHandler#onClosed} follows with a {@code null} cause. Idempotent. */
    void close();
}
