package io.hypha.api.transport;

import java.net.URI;
import org.osgi.annotation.versioning.ConsumerType;

/** A bound listening address of a transport protocol. Implemented by transport protocols. */
@ConsumerType
public interface ListeningEndpoint {
    /** @return the address actually bound (with the real port when 0 was asked for) */
    URI address();

    /** Stops accepting new connections; open ones stay open. Idempotent. */
    void close();
}
