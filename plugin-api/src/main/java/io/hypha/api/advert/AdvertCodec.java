package io.hypha.api.advert;

import io.hypha.api.NodeId;
import io.hypha.api.identity.NodeIdentity;
import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Signs, encodes, decodes and checks node adverts. Implemented by the platform (the wire bundle); stateless and
 * thread-safe.
 *
 * <p>The signature covers the canonical encoding of the {@link AdvertContent} (the protocol buffers encoding of the
 * advert without its signature, fields in number order), signed under {@link #SIGNING_CONTEXT} with Hypha's signing
 * rule {@code UTF-8(context) || 0x00 || encoding}. {@code docs/wire-protocol.md}, section "Node adverts", has the
 * byte layout.
 *
 * <p>Checks, in this order, the first failing one giving the result: the bytes decode to an advert that obeys
 * {@link AdvertContent}'s rules ({@link AdvertRejection#MALFORMED}); the signature verifies with the advert's own
 * node key ({@link AdvertRejection#BAD_SIGNATURE}); the advert is about the expected node, when one is expected
 * ({@link AdvertRejection#WRONG_NODE}); it is not created later than now plus the allowed clock skew
 * ({@link AdvertRejection#NOT_YET_VALID}); it has not expired ({@link AdvertRejection#EXPIRED}). Whether it is newer
 * than an advert already held is for the holder to decide ({@link AdvertRejection#OLDER_VERSION}).
 */
@ProviderType
public interface AdvertCodec {
    /** The domain-separation context node adverts are signed under. */
    String SIGNING_CONTEXT = "hypha-node-advert-v1";

    /**
     * Signs an advert.
     *
     * @param content what the node says about itself
     * @param signer  the node's identity; must be {@code content.node()}
     * @return the signed advert
     * @throws IllegalArgumentException if the signer is not the node the content is about
     */
    NodeAdvert sign(AdvertContent content, NodeIdentity signer);

    /**
     * @param advert an advert
     * @return its encoding, for the wire or a file
     */
    byte[] encode(NodeAdvert advert);

    /**
     * Decodes and checks an advert.
     *
     * @param encoded  the bytes received
     * @param expected the node the advert must be about (the node looked up, the peer that sent its own), or
     *                 {@code null} to accept an advert about any node (gossip)
     * @param now      the time to check validity at
     * @return the advert, or why it was refused
     */
    AdvertCheck decode(byte[] encoded, NodeId expected, Instant now);

    /**
     * Checks an advert already decoded (for example one loaded from disk after a restart).
     *
     * @param advert   the advert
     * @param expected the node it must be about, or {@code null} for any
     * @param now      the time to check validity at
     * @return the advert, or why it was refused (never {@link AdvertRejection#MALFORMED}: it was already built)
     */
    AdvertCheck verify(NodeAdvert advert, NodeId expected, Instant now);
}
