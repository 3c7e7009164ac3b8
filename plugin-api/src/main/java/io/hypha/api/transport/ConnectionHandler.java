package io.hypha.api.transport;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Receives what happens on connections. Implemented by the platform (the Transport engine); protocols call it from
 * their I/O threads, and it never blocks them.
 */
@ProviderType
public interface ConnectionHandler {
    /**
     * An inbound connection finished its handshake and the peer is authenticated.
     *
     * @param connection the connection
     */
    void onConnected(Connection connection);

    /**
     * A whole frame arrived. The buffer is only valid during the call.
     *
     * @param connection the connection it came on
     * @param frame      the frame's bytes
     */
    void onFrame(Connection connection, ByteBuffer frame);

    /**
     * The connection can take frames again after {@link Connection#send} returned {@code false}.
     *
     * @param connection the connection
     */
    void onWritable(Connection connection);

    /**
     * The connection closed; frames not yet delivered are lost (the session layer resends them).
     *
     * @param connection the connection
     * @param cause      why, or {@code null} for an orderly close
     */
    void onClosed(Connection connection, TransportException cause);
}
