package io.hypha.transport.quic.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * The dialler's check of the listener's certificate during the QUIC TLS handshake: the node identity verification of
 * docs/wire-protocol.md 1.4 with {@link TransportCredentials#verifyPeer}, and nothing else (no CA, no host name).
 * agent15 calls it after it has verified the listener's CertificateVerify signature, so a peer that passes holds the
 * certificate's key. One instance per dial; remembers what it found.
 */
final class PeerTrustManager implements X509TrustManager {
    private final TransportCredentials credentials;
    private final NodeId expected;
    private volatile NodeId verified;
    private volatile TransportException refusal;

    /**
     * @param credentials this node's credentials (their verifier)
     * @param expected    the node that must answer, or {@code null} for any
     */
    PeerTrustManager(TransportCredentials credentials, NodeId expected) {
        this.credentials = credentials;
        this.expected = expected;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            verified = credentials.verifyPeer(chain, expected);
        } catch (TransportException e) {
            refusal = e;
            throw new CertificateException(e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a dialler's trust manager checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** @return the listener's node, once its certificate passed; otherwise {@code null} */
    NodeId verified() {
        return verified;
    }

    /** @return why the listener's certificate was refused, or {@code null} */
    TransportException refusal() {
        return refusal;
    }
}
