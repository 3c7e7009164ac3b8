package io.hypha.transport.tls.internal;

import io.hypha.api.transport.TransportCredentials;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.TlsCredentialsComponent;
import io.hypha.identity.internal.tls.TlsCredentialsComponent.Settings;
import java.security.SecureRandom;
import java.time.Clock;

/** Real node credentials for tests, made with the identity bundle's classes (a test dependency). */
final class NodeCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeCredentials() {
    }

    /** @return the credentials of a new node identity */
    static TransportCredentials newNode() {
        return new TlsCredentialsComponent(Ed25519NodeKey.generate(RANDOM), Settings.DEFAULTS, Clock.systemUTC(), RANDOM);
    }
}
