package io.hypha.api.transport;

import io.hypha.api.NodeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's TLS credentials, bound to its identity: a short-lived self-signed certificate whose extension carries
 * the node's Ed25519 key and that key's signature over the certificate's public key (the libp2p TLS scheme).
 * Implemented by the identity bundle; a protocol only presents and verifies, it never builds certificates.
 */
@ProviderType
public interface TransportCredentials {
    /** @return the current certificate; renewed before it expires, so ask for it on each handshake */
    X509Certificate certificate();

    /** @return the private key of {@link #certificate()} (not the node key) */
    PrivateKey certificateKey();

    /**
     * Verifies a peer's certificate chain and returns the node it proves.
     *
     * @param chain    the peer's certificates, its own first
     * @param expected the node that must be proven, or {@code null} to accept any (inbound connections)
     * @return the peer's node id
     * @throws TransportException with {@link TransportError#AUTHENTICATION_FAILED} if the certificate has no
     *                            identity extension, a bad signature, is expired, or proves another node
     */
    NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException;
}
