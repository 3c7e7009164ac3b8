package io.hypha.api.advert;

import io.hypha.api.NodeId;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A node's signed advert: its {@link AdvertContent} and the node's Ed25519 signature over the content's canonical
 * encoding under the context {@link AdvertCodec#SIGNING_CONTEXT}.
 *
 * <p>Holding a {@code NodeAdvert} does not mean it is valid: one that was just decoded or built by hand may carry
 * any signature. {@link AdvertCodec#verify} decides. Instances are immutable; equality covers the content and the
 * signature bytes.
 */
public final class NodeAdvert {
    /** Length of an Ed25519 signature in bytes. */
    public static final int SIGNATURE_LENGTH = 64;

    private final AdvertContent content;
    private final byte[] signature;

    /**
     * @param content   what the node says about itself
     * @param signature the 64-byte Ed25519 signature; copied
     * @throws IllegalArgumentException if the signature is not 64 bytes long
     */
    public NodeAdvert(AdvertContent content, byte[] signature) {
        this.content = Objects.requireNonNull(content, "content");
        Objects.requireNonNull(signature, "signature");
        if (signature.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("an advert signature is " + SIGNATURE_LENGTH + " bytes, got " + signature.length);
        }
        this.signature = signature.clone();
    }

    /** @return the signed content */
    public AdvertContent content() {
        return content;
    }

    /** @return a copy of the signature */
    public byte[] signature() {
        return signature.clone();
    }

    /** @return the node the advert is about */
    public NodeId node() {
        return content.node();
    }

    /** @return where the node can be dialled */
    public List<TransportAddress> addresses() {
        return content.addresses();
    }

    /** @return the relays that keep messages for the node */
    public List<NodeId> relays() {
        return content.relays();
    }

    /** @return lowest wire protocol version the node speaks */
    public int minProtocolVersion() {
        return content.minProtocolVersion();
    }

    /** @return highest wire protocol version the node speaks */
    public int maxProtocolVersion() {
        return content.maxProtocolVersion();
    }

    /** @return the advert's version; higher replaces lower */
    public long version() {
        return content.version();
    }

    /** @return when the node made the advert */
    public Instant created() {
        return content.created();
    }

    /** @return when the advert stops being valid */
    public Instant expires() {
        return content.expires();
    }

    /**
     * @param now the time to judge by
     * @return whether the advert has expired at {@code now}
     */
    public boolean isExpired(Instant now) {
        return content.isExpired(now);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAdvert other && content.equals(other.content) && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * content.hashCode() + Arrays.hashCode(signature);
    }

    /** Shows the node, version, addresses, relays and validity; not the signature. */
    @Override
    public String toString() {
        return "NodeAdvert{" + content.node() + " v" + content.version() + ", addresses " + content.addresses()
                + ", relays " + content.relays() + ", protocol " + content.minProtocolVersion() + ".."
                + content.maxProtocolVersion() + ", valid " + content.created() + " to " + content.expires() + "}";
    }
}
