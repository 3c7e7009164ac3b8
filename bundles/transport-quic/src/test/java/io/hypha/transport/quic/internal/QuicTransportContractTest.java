package io.hypha.transport.quic.internal;

import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.testkit.transport.TransportProtocolContract;
import java.net.URI;

/** The QUIC transport meets the TransportProtocol contract of the plugin testkit. */
class QuicTransportContractTest extends TransportProtocolContract {
    @Override
    protected TransportProtocol newProtocol() {
        return new QuicTransport(QuicTransport.Settings.DEFAULTS);
    }

    @Override
    protected TransportCredentials newCredentials() {
        return TestCredentials.newNode();
    }

    @Override
    protected URI bindAddress() {
        return URI.create("quic://127.0.0.1:0");
    }

    @Override
    protected void dispose(TransportProtocol protocol) {
        ((QuicTransport) protocol).close();
    }
}
