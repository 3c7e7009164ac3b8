package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * Builds Netty SSL contexts for node-to-node TLS (docs/wire-protocol.md, section 1.1): TLS 1.3 only, the JDK's
 * SSLEngine, the node certificate presented by a {@link CredentialsKeyManager}, the peer judged by a
 * {@link CredentialsTrustManager} only (no CA, no host name), and a client certificate required by the server.
 */
final class TlsContexts {
    private static final String TLS_1_3 = "TLSv1.3";

    private TlsContexts() {
    }

    /**
     * @param credentials the node's credentials
     * @return a server context (one per listening endpoint) that accepts any authenticated node
     * @throws TransportException with {@link TransportError#IO} if the JDK cannot make it
     */
    static SslContext server(TransportCredentials credentials) throws TransportException {
        try {
            return SslContextBuilder.forServer(new CredentialsKeyManager(credentials))
                    .trustManager(new CredentialsTrustManager(credentials, null))
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(TLS_1_3)
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new TransportException(TransportError.IO, "could not make a TLS 1.3 server context", e);
        }
    }

    /**
     * @param credentials the node's credentials
     * @param expected    the node that must answer, or {@code null} for any
     * @return a client context for one dial
     * @throws TransportException with {@link TransportError#IO} if the JDK cannot make it
     */
    static SslContext client(TransportCredentials credentials, NodeId expected) throws TransportException {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(new CredentialsKeyManager(credentials))
                    .trustManager(new CredentialsTrustManager(credentials, expected))
                    .endpointIdentificationAlgorithm(null)
                    .protocols(TLS_1_3)
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new TransportException(TransportError.IO, "could not make a TLS 1.3 client context", e);
        }
    }
}
