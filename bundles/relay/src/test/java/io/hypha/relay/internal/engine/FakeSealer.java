package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.Sealer;
import java.util.Arrays;

/**
 * A transparent stand-in for the identity bundle's sealer: {@code sealFrom} writes {@code 0x02 ‖ sender ‖ recipient ‖
 * plaintext}, {@code openFrom} checks both ids and the format and fails as the real one does. Not secret, but it keeps
 * the authentication semantics the relay relies on (a payload opens only from its sender and for its recipient).
 */
final class FakeSealer implements Sealer {
    private final NodeId self;
    int opened;

    FakeSealer(NodeId self) {
        this.self = self;
    }

    @Override
    public byte[] seal(NodeId recipient, byte[] plaintext) {
        throw new UnsupportedOperationException("the relay seals with sealFrom only");
    }

    @Override
    public byte[] open(byte[] sealed) {
        throw new UnsupportedOperationException("the relay opens with openFrom only");
    }

    @Override
    public byte[] sealFrom(NodeId recipient, byte[] plaintext) {
        byte[] out = new byte[65 + plaintext.length];
        out[0] = 2;
        System.arraycopy(self.publicKey(), 0, out, 1, 32);
        System.arraycopy(recipient.publicKey(), 0, out, 33, 32);
        System.arraycopy(plaintext, 0, out, 65, plaintext.length);
        return out;
    }

    @Override
    public byte[] openFrom(NodeId sender, byte[] sealed) throws SealException {
        if (sealed.length < 65 || sealed[0] != 2) {
            throw new SealException(SealException.Reason.MALFORMED, "not a fake sealed payload");
        }
        if (!Arrays.equals(sealed, 1, 33, sender.publicKey(), 0, 32) || !Arrays.equals(sealed, 33, 65, self.publicKey(), 0, 32)) {
            throw new SealException(SealException.Reason.TAMPERED, "other sender or recipient");
        }
        opened++;
        return Arrays.copyOfRange(sealed, 65, sealed.length);
    }
}
