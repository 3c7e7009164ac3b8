package io.hypha.transport.tls.internal;

import io.hypha.api.transport.TransportCredentials;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the node's current certificate: JSSE asks on every handshake, and each time the credentials answer with
 * the certificate of the moment, so renewals need no new SSL context. One alias serves EC keys (the node
 * certificates are ECDSA P-256); any other key type has none, and JSSE then picks another signature scheme.
 */
final class CredentialsKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "hypha-node";
    private static final String KEY_TYPE = "EC";

    private final TransportCredentials credentials;

    CredentialsKeyManager(TransportCredentials credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    private static String[] aliases(String keyType) {
        return KEY_TYPE.equals(keyType) ? new String[] {ALIAS} : null;
    }

    private static String choose(String... keyTypes) {
        return keyTypes != null && Arrays.asList(keyTypes).contains(KEY_TYPE) ? ALIAS : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {credentials.certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? credentials.certificateKey() : null;
    }
}
