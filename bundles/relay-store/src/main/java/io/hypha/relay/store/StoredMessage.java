package io.hypha.relay.store;

import io.hypha.api.NodeId;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message held for an edge node. Immutable; equality covers every field and the envelope bytes.
 */
public final class StoredMessage {
    private final NodeId edge;
    private final long seq;
    private final MessageOrigin origin;
    private final long storedAt;
    private final long expiresAt;
    private final byte[] envelope;

    /**
     * @param edge      the edge node it is for
     * @param seq       its position among the messages stored for the edge (from 1, never reused)
     * @param origin    who sent it
     * @param storedAt  when the relay stored it, in milliseconds since the epoch
     * @param expiresAt when it expires, in milliseconds since the epoch (the sender's expiry, or the relay's
     *                  retention limit if that comes first)
     * @param envelope  the envelope bytes as the relay received them; copied
     */
    public StoredMessage(NodeId edge, long seq, MessageOrigin origin, long storedAt, long expiresAt, byte[] envelope) {
        this.edge = Objects.requireNonNull(edge, "edge");
        this.seq = seq;
        this.origin = Objects.requireNonNull(origin, "origin");
        this.storedAt = storedAt;
        this.expiresAt = expiresAt;
        this.envelope = Objects.requireNonNull(envelope, "envelope").clone();
    }

    /** @return the edge node the message is for */
    public NodeId edge() {
        return edge;
    }

    /** @return its per-edge sequence number */
    public long seq() {
        return seq;
    }

    /** @return who sent it */
    public MessageOrigin origin() {
        return origin;
    }

    /** @return when it was stored, in milliseconds since the epoch */
    public long storedAt() {
        return storedAt;
    }

    /** @return when it expires, in milliseconds since the epoch */
    public long expiresAt() {
        return expiresAt;
    }

    /** @return a copy of the envelope bytes */
    public byte[] envelope() {
        return envelope.clone();
    }

    /** @return the envelope's length in bytes (what quotas count) */
    public int size() {
        return envelope.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage other && seq == other.seq && storedAt == other.storedAt
                && expiresAt == other.expiresAt && edge.equals(other.edge) && origin.equals(other.origin)
                && Arrays.equals(envelope, other.envelope);
    }

    @Override
    public int hashCode() {
        return Objects.hash(edge, seq, origin, storedAt, expiresAt) * 31 + Arrays.hashCode(envelope);
    }

    @Override
    public String toString() {
        return "StoredMessage{edge " + edge.shortForm() + " #" + seq + " from " + origin + ", " + envelope.length
                + " bytes, expires " + expiresAt + "}";
    }
}
