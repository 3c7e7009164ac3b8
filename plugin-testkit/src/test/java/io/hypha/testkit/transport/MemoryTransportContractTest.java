package io.hypha.testkit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.transport.Connection;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.identity.internal.Ed25519NodeKey;
import io.hypha.identity.internal.tls.TlsCredentialsComponent;
import io.hypha.identity.internal.tls.TlsCredentialsComponent.Settings;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The memory transport meets the contract, which also shows the suite itself holds for a transport other than TLS.
 * Credentials are real node credentials, made with the identity bundle's classes (a test dependency).
 */
class MemoryTransportContractTest extends TransportProtocolContract {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final MemoryTransport.Network network = new MemoryTransport.Network();
    private int instances;

    @Override
    protected TransportProtocol newProtocol() {
        return new MemoryTransport(network, "node-" + ++instances);
    }

    @Override
    protected TransportCredentials newCredentials() {
        return new TlsCredentialsComponent(Ed25519NodeKey.generate(RANDOM), Settings.DEFAULTS, Clock.systemUTC(), RANDOM);
    }

    @Override
    protected URI bindAddress() {
        return URI.create("mem://127.0.0.1:0");
    }

    @Test
    void droppingConnectionsClosesBothSidesWithAnIoError() {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);

        ((MemoryTransport) b.protocol).dropConnections();

        assertThat(b.handler.awaitClosed(link.out(), timeout())).map(TransportException::error).hasValue(TransportError.IO);
        assertThat(a.handler.awaitClosed(link.in(), timeout())).map(TransportException::error).hasValue(TransportError.IO);
        Connection again = link(b, a).out();
        assertThat(again.isOpen()).isTrue();
    }
}
