package io.hypha.relay.internal.wire;

import io.hypha.api.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the relay protocol, exchanged between the {@code relay} engines of two nodes as engine messages whose
 * type names the message and whose payload is its encoding ({@link RelayCodec}). docs/relay-protocol.md describes each.
 * Byte-array fields are not copied: whoever builds or decodes a message owns them and never changes them after.
 */
public sealed interface RelayMessage {
    /** Largest number of entries in one message. */
    int MAX_ENTRIES = 4_096;

    /** @return the envelope type this message travels with */
    String type();

    /**
     * Sender to relay: keep these messages for their edge nodes.
     *
     * @param entries the messages, in the sender's order
     */
    record Store(List<StoreEntry> entries) implements RelayMessage {
        /** @throws IllegalArgumentException if there are no entries or more than {@link #MAX_ENTRIES} */
        public Store {
            entries = checked(entries);
        }

        @Override
        public String type() {
            return RelayCodec.STORE;
        }
    }

    /**
     * One message for an edge node.
     *
     * @param edge      the edge node
     * @param msgId     the sender's id for it (its ticket), which the relay's answers name
     * @param expiresAt its expiry in epoch milliseconds, {@link io.hypha.api.Envelope#NEVER} for none
     * @param srcEngine the sending engine's name, or {@code null}
     * @param note      the sender's note to itself (sealed for itself), returned if the message expires at the relay
     * @param sealed    the inner envelope sealed from the sender for the edge node
     */
    record StoreEntry(NodeId edge, long msgId, long expiresAt, String srcEngine, byte[] note, byte[] sealed) {
        /** @throws NullPointerException if a field but {@code srcEngine} is null */
        public StoreEntry {
            Objects.requireNonNull(edge, "edge");
            Objects.requireNonNull(note, "note");
            Objects.requireNonNull(sealed, "sealed");
        }
    }

    /**
     * Relay to sender: these messages are durably stored.
     *
     * @param msgIds the sender's ids of the messages
     */
    record Stored(long[] msgIds) implements RelayMessage {
        /** @throws IllegalArgumentException if there are no ids or more than {@link #MAX_ENTRIES} */
        public Stored {
            if (msgIds.length < 1 || msgIds.length > MAX_ENTRIES) {
                throw new IllegalArgumentException("1 to " + MAX_ENTRIES + " ids, got " + msgIds.length);
            }
        }

        @Override
        public String type() {
            return RelayCodec.STORED;
        }
    }

    /**
     * Relay to sender: these messages were not stored.
     *
     * @param entries which, and why
     */
    record Refused(List<RefusedEntry> entries) implements RelayMessage {
        /** @throws IllegalArgumentException if there are no entries or more than {@link #MAX_ENTRIES} */
        public Refused {
            entries = checked(entries);
        }

        @Override
        public String type() {
            return RelayCodec.REFUSED;
        }
    }

    /**
     * @param msgId  the sender's id of the message
     * @param reason why it was not stored
     */
    record RefusedEntry(long msgId, Refusal reason) {
        /** @throws NullPointerException if the reason is null */
        public RefusedEntry {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Relay to sender: these messages, stored for {@code edge}, expired before the edge node collected them.
     *
     * @param edge    the edge node
     * @param entries the messages
     */
    record Expired(NodeId edge, List<ExpiredEntry> entries) implements RelayMessage {
        /** @throws IllegalArgumentException if there are no entries or more than {@link #MAX_ENTRIES} */
        public Expired {
            Objects.requireNonNull(edge, "edge");
            entries = checked(entries);
        }

        @Override
        public String type() {
            return RelayCodec.EXPIRED;
        }
    }

    /**
     * @param msgId     the sender's id of the message
     * @param srcEngine the sending engine, or {@code null}
     * @param note      the note the sender stored with it
     */
    record ExpiredEntry(long msgId, String srcEngine, byte[] note) {
        /** @throws NullPointerException if the note is null */
        public ExpiredEntry {
            Objects.requireNonNull(note, "note");
        }
    }

    /** Edge to relay: keep and forward my messages; sent after every (re)connection. */
    record Register() implements RelayMessage {
        @Override
        public String type() {
            return RelayCodec.REGISTER;
        }
    }

    /**
     * Relay to edge: the answer to {@link Register}.
     *
     * @param status          whether the relay took the registration
     * @param quotaMessages   most messages it holds for the edge node (0 unless OK)
     * @param quotaBytes      most bytes it holds for the edge node (0 unless OK)
     * @param maxMessageBytes largest stored message (0 unless OK)
     */
    record Registered(RegisterStatus status, long quotaMessages, long quotaBytes, long maxMessageBytes) implements RelayMessage {
        /** @throws NullPointerException if the status is null */
        public Registered {
            Objects.requireNonNull(status, "status");
        }

        @Override
        public String type() {
            return RelayCodec.REGISTERED;
        }
    }

    /**
     * Relay to edge: stored messages, in sequence order.
     *
     * @param entries the messages
     */
    record Deliver(List<DeliverEntry> entries) implements RelayMessage {
        /** @throws IllegalArgumentException if there are no entries or more than {@link #MAX_ENTRIES} */
        public Deliver {
            entries = checked(entries);
        }

        @Override
        public String type() {
            return RelayCodec.DELIVER;
        }
    }

    /**
     * @param seq     the message's sequence number at the relay, for this edge node (from 1)
     * @param srcNode the node that sent it (it travels to the relay as the store message's authenticated source)
     * @param sealed  the inner envelope, sealed from {@code srcNode} for the edge node
     */
    record DeliverEntry(long seq, NodeId srcNode, byte[] sealed) {
        /** @throws NullPointerException if a field is null */
        public DeliverEntry {
            Objects.requireNonNull(srcNode, "srcNode");
            Objects.requireNonNull(sealed, "sealed");
        }
    }

    /**
     * Edge to relay: every message up to this sequence number was handled (delivered, or found a duplicate or
     * unopenable); the relay may delete them.
     *
     * @param upToSeq the highest handled sequence number
     */
    record Delivered(long upToSeq) implements RelayMessage {
        @Override
        public String type() {
            return RelayCodec.DELIVERED;
        }
    }

    private static <T> List<T> checked(List<T> entries) {
        List<T> copy = List.copyOf(entries);
        if (copy.isEmpty() || copy.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("1 to " + MAX_ENTRIES + " entries, got " + copy.size());
        }
        return copy;
    }
}
