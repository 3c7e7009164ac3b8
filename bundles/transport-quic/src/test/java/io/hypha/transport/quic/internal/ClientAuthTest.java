package io.hypha.transport.quic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.transport.TransportCredentials;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The dialler's proof verifies only for the nonce, listener certificate and dialler certificate it was made for. */
class ClientAuthTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final TransportCredentials dialler = TestCredentials.newNode();
    private final TransportCredentials listener = TestCredentials.newNode();
    private final TransportCredentials other = TestCredentials.newNode();
    private final byte[] nonce = nonce();

    private static byte[] nonce() {
        byte[] n = new byte[ClientAuth.NONCE_LENGTH];
        RANDOM.nextBytes(n);
        return n;
    }

    private byte[] proof() throws Exception {
        return ClientAuth.sign(dialler.certificateKey(), nonce, listener.certificate(), dialler.certificate());
    }

    @Test
    void aProofVerifiesForTheNonceAndCertificatesItWasMadeFor() throws Exception {
        assertThat(ClientAuth.verify(proof(), nonce, listener.certificate(), dialler.certificate())).isTrue();
    }

    @Test
    void aProofForAnotherNonceIsRefused() throws Exception {
        assertThat(ClientAuth.verify(proof(), nonce(), listener.certificate(), dialler.certificate())).isFalse();
    }

    @Test
    void aProofMadeForAnotherListenerCannotBeRelayed() throws Exception {
        assertThat(ClientAuth.verify(proof(), nonce, other.certificate(), dialler.certificate())).isFalse();
    }

    @Test
    void aProofDoesNotVouchForAnotherDiallerCertificate() throws Exception {
        assertThat(ClientAuth.verify(proof(), nonce, listener.certificate(), other.certificate())).isFalse();
    }

    @Test
    void aSignatureByAnotherKeyOverTheRightBytesIsRefused() throws Exception {
        byte[] forged = ClientAuth.sign(other.certificateKey(), nonce, listener.certificate(), dialler.certificate());

        assertThat(ClientAuth.verify(forged, nonce, listener.certificate(), dialler.certificate())).isFalse();
    }

    @Test
    void garbageIsRefusedWithoutAnException() {
        assertThat(ClientAuth.verify(new byte[] {1, 2, 3}, nonce, listener.certificate(), dialler.certificate())).isFalse();
        assertThat(ClientAuth.verify(new byte[0], nonce, listener.certificate(), dialler.certificate())).isFalse();
    }

    @Test
    void messagesCarryTheirTypeInTheFirstByte() {
        byte[] body = ClientAuth.message(ClientAuth.Type.CHALLENGE, nonce);

        assertThat(ClientAuth.typeOf(java.nio.ByteBuffer.wrap(body))).isEqualTo(ClientAuth.Type.CHALLENGE);
        assertThat(ClientAuth.payloadOf(java.nio.ByteBuffer.wrap(body))).isEqualTo(nonce);
        assertThat(ClientAuth.typeOf(java.nio.ByteBuffer.wrap(new byte[] {42}))).isNull();
        assertThat(ClientAuth.typeOf(java.nio.ByteBuffer.allocate(0))).isNull();
    }
}
