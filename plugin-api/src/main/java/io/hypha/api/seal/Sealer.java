package io.hypha.api.seal;

import io.hypha.api.NodeId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Seals payloads for a node and opens those sealed for this node. Implemented by the platform with this node's key;
 * thread-safe.
 *
 * <p>What it guarantees: only the recipient can open a sealed payload; any change to it (by a relay, on disk) is
 * detected when it is opened; sealing the same bytes twice gives unrelated results, so an observer cannot even tell
 * that two payloads are equal. What it does not: it does not say who sealed it. Anyone can seal for a node, as with
 * libsodium's sealed boxes, so a protocol that needs to know the sender signs the payload before sealing it (or
 * trusts the sender named by the authenticated envelope around it, where no relay can change it).
 */
@ProviderType
public interface Sealer {
    /**
     * Seals a payload so that only {@code recipient} can open it.
     *
     * @param recipient the node that will open it
     * @param plaintext the payload; not modified
     * @return the sealed bytes, a fixed number of bytes longer than the payload
     * @throws IllegalArgumentException if {@code recipient} is not a valid Ed25519 public key (not a point of the
     *                                  curve, or of small order): no node can hold such an id, since a node proves
     *                                  its id by signing with it
     */
    byte[] seal(NodeId recipient, byte[] plaintext);

    /**
     * Opens a payload sealed for this node.
     *
     * @param sealed the sealed bytes
     * @return the payload
     * @throws SealException if the bytes are not a sealed payload ({@link SealException.Reason#MALFORMED}), were
     *                       sealed for another node ({@link SealException.Reason#NOT_FOR_THIS_NODE}), or were altered
     *                       ({@link SealException.Reason#TAMPERED})
     */
    byte[] open(byte[] sealed) throws SealException;

    /**
     * Seals a payload so that only {@code recipient} can open it and can tell that this node sealed it (like
     * libsodium's {@code crypto_box}): the key comes from the X25519 agreement of both nodes' static keys, so a relay
     * in between can neither read nor forge it. The per-pair key may be cached; each payload gets a fresh random
     * nonce. Unlike {@link #seal}, it has no forward secrecy: whoever later steals either node's key can open it.
     *
     * @param recipient the node that will open it
     * @param plaintext the payload; not modified
     * @return the sealed bytes, a fixed number of bytes longer than the payload
     * @throws IllegalArgumentException if {@code recipient} is not a valid Ed25519 public key
     * @since 1.1
     */
    byte[] sealFrom(NodeId recipient, byte[] plaintext);

    /**
     * Opens a payload that {@code sender} sealed for this node with {@link #sealFrom}.
     *
     * @param sender the node that claims to have sealed it
     * @param sealed the sealed bytes
     * @return the payload, proven to come from {@code sender} (or from this node)
     * @throws SealException {@link SealException.Reason#MALFORMED} if the bytes are not such a payload,
     *                       {@link SealException.Reason#TAMPERED} if they were altered, sealed by another node than
     *                       {@code sender} or for another node than this one
     * @since 1.1
     */
    byte[] openFrom(NodeId sender, byte[] sealed) throws SealException;
}
