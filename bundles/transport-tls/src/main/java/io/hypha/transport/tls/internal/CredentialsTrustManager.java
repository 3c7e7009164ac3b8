package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer exactly when {@link TransportCredentials#verifyPeer} proves a node (the expected one, when a node was
 * dialled): no CA, no host name. It extends {@link X509ExtendedTrustManager} so that JSSE uses it as it is; JSSE wraps a
 * plain {@code X509TrustManager} with host name and algorithm checks of its own.
 *
 * <p>A refusal is a {@link CertificateException} whose cause is the {@link TransportException}; JSSE then aborts the
 * handshake with an alert, and the transport finds the cause again to report
 * {@link io.hypha.api.transport.TransportError#AUTHENTICATION_FAILED}.
 */
final class CredentialsTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    private final TransportCredentials credentials;
    private final NodeId expected;

    /**
     * @param credentials the node's credentials, whose verifier decides
     * @param expected    the node that must be proven, or {@code null} for any (a server)
     */
    CredentialsTrustManager(TransportCredentials credentials, NodeId expected) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.expected = expected;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        try {
            credentials.verifyPeer(chain, expected);
        } catch (TransportException e) {
            throw new CertificateException(e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        // No CA list in the CertificateRequest: any self-signed node certificate may be offered.
        return NO_ISSUERS;
    }
}
