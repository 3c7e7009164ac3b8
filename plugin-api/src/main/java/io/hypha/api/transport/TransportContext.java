package io.hypha.api.transport;

import org.osgi.annotation.versioning.ProviderType;

/** What the Transport engine gives a protocol for one listen or dial call. Implemented by the platform. */
@ProviderType
public interface TransportContext {
    /** @return this node's TLS credentials and the peer verifier */
    TransportCredentials credentials();

    /** @return the largest frame, in bytes, that may be sent or accepted */
    int maxFrameSize();

    /** @return how long an unauthenticated connection may take to complete its handshake, in milliseconds */
    long handshakeTimeoutMillis();

    /** @return who receives connections, frames and closes */
    ConnectionHandler handler();
}
