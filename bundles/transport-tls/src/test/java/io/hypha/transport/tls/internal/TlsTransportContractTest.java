package io.hypha.transport.tls.internal;

import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.testkit.transport.TransportProtocolContract;
import java.net.URI;

/** The tls transport meets the TransportProtocol contract. */
class TlsTransportContractTest extends TransportProtocolContract {
    private int instances;

    @Override
    protected TransportProtocol newProtocol() {
        return new TlsTransport(TlsSettings.DEFAULTS, "contract-" + ++instances);
    }

    @Override
    protected TransportCredentials newCredentials() {
        return NodeCredentials.newNode();
    }

    @Override
    protected URI bindAddress() {
        return URI.create("tls://127.0.0.1:0");
    }
}
