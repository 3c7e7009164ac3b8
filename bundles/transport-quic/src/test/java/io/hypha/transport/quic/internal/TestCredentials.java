package io.hypha.transport.quic.internal;

import io.hypha.api.transport.TransportCredentials;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.TlsCredentialsComponent;
import java.security.SecureRandom;
import java.time.Clock;

/** Real node credentials for tests: a fresh Ed25519 node key and its TLS credentials, from the identity bundle. */
final class TestCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCredentials() {
    }

    /** @return the node the credentials prove */
    static io.hypha.api.NodeId idOf(TransportCredentials credentials) {
        try {
            return credentials.verifyPeer(new java.security.cert.X509Certificate[] {credentials.certificate()}, null);
        } catch (io.hypha.api.transport.TransportException e) {
            throw new AssertionError(e);
        }
    }

    /** @return credentials of a new node */
    static TransportCredentials newNode() {
        return new TlsCredentialsComponent(Ed25519NodeKey.generate(RANDOM), TlsCredentialsComponent.Settings.DEFAULTS,
                Clock.systemUTC(), RANDOM);
    }
}
