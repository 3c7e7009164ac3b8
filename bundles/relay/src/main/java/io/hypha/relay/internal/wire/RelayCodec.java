package io.hypha.relay.internal.wire;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.relay.internal.wire.RelayMessage.Deliver;
import io.hypha.relay.internal.wire.RelayMessage.DeliverEntry;
import io.hypha.relay.internal.wire.RelayMessage.Delivered;
import io.hypha.relay.internal.wire.RelayMessage.Expired;
import io.hypha.relay.internal.wire.RelayMessage.ExpiredEntry;
import io.hypha.relay.internal.wire.RelayMessage.Refused;
import io.hypha.relay.internal.wire.RelayMessage.RefusedEntry;
import io.hypha.relay.internal.wire.RelayMessage.Register;
import io.hypha.relay.internal.wire.RelayMessage.Registered;
import io.hypha.relay.internal.wire.RelayMessage.Store;
import io.hypha.relay.internal.wire.RelayMessage.StoreEntry;
import io.hypha.relay.internal.wire.RelayMessage.Stored;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the relay protocol's messages (docs/relay-protocol.md, section 3). Every payload starts with the
 * format version {@value #VERSION}; fields follow in a fixed order: unsigned LEB128 varints, varint-length-prefixed byte
 * strings and UTF-8 strings, raw 32-byte node ids. Expiry times are epoch milliseconds with 0 for "never". Decoding
 * checks every length, count, code and engine name and refuses trailing bytes, so malformed input is a
 * {@link WireException}, never an exception of another kind. Stateless.
 */
public final class RelayCodec {
    /** The format version, first byte of every relay payload. */
    public static final int VERSION = 1;

    /** Type of {@link Store}. */
    public static final String STORE = "hypha.relay.store";
    /** Type of {@link Stored}. */
    public static final String STORED = "hypha.relay.stored";
    /** Type of {@link Refused}. */
    public static final String REFUSED = "hypha.relay.refused";
    /** Type of {@link Expired}. */
    public static final String EXPIRED = "hypha.relay.expired";
    /** Type of {@link Register}. */
    public static final String REGISTER = "hypha.relay.register";
    /** Type of {@link Registered}. */
    public static final String REGISTERED = "hypha.relay.registered";
    /** Type of {@link Deliver}. */
    public static final String DELIVER = "hypha.relay.deliver";
    /** Type of {@link Delivered}. */
    public static final String DELIVERED = "hypha.relay.delivered";

    /** Prefix of every relay protocol type. */
    public static final String TYPE_PREFIX = "hypha.relay.";

    private RelayCodec() {
    }

    /**
     * @param message a message
     * @return its payload bytes
     */
    public static byte[] encode(RelayMessage message) {
        WireWriter w;
        if (message instanceof Store s) {
            int size = 8;
            for (StoreEntry e : s.entries()) {
                size += NodeId.LENGTH + 40 + e.note().length + e.sealed().length;
            }
            w = new WireWriter(size).byte1(VERSION).varint(s.entries().size());
            for (StoreEntry e : s.entries()) {
                w.node(e.edge()).varint(e.msgId()).varint(expiryOut(e.expiresAt())).string(e.srcEngine())
                        .bytes(e.note()).bytes(e.sealed());
            }
        } else if (message instanceof Stored s) {
            w = new WireWriter(4 + 9 * s.msgIds().length).byte1(VERSION).varint(s.msgIds().length);
            for (long id : s.msgIds()) {
                w.varint(id);
            }
        } else if (message instanceof Refused r) {
            w = new WireWriter(4 + 11 * r.entries().size()).byte1(VERSION).varint(r.entries().size());
            for (RefusedEntry e : r.entries()) {
                w.varint(e.msgId()).varint(e.reason().code());
            }
        } else if (message instanceof Expired x) {
            int size = 40;
            for (ExpiredEntry e : x.entries()) {
                size += 140 + e.note().length;
            }
            w = new WireWriter(size).byte1(VERSION).node(x.edge()).varint(x.entries().size());
            for (ExpiredEntry e : x.entries()) {
                w.varint(e.msgId()).string(e.srcEngine()).bytes(e.note());
            }
        } else if (message instanceof Register) {
            w = new WireWriter(1).byte1(VERSION);
        } else if (message instanceof Registered r) {
            w = new WireWriter(32).byte1(VERSION).varint(r.status().code()).varint(r.quotaMessages())
                    .varint(r.quotaBytes()).varint(r.maxMessageBytes());
        } else if (message instanceof Deliver d) {
            int size = 8;
            for (DeliverEntry e : d.entries()) {
                size += NodeId.LENGTH + 16 + e.sealed().length;
            }
            w = new WireWriter(size).byte1(VERSION).varint(d.entries().size());
            for (DeliverEntry e : d.entries()) {
                w.varint(e.seq()).node(e.srcNode()).bytes(e.sealed());
            }
        } else if (message instanceof Delivered d) {
            w = new WireWriter(12).byte1(VERSION).varint(d.upToSeq());
        } else {
            throw new IllegalArgumentException("not a relay message: " + message);
        }
        return w.toByteArray();
    }

    /**
     * @param type    an envelope type
     * @return whether it names a relay protocol message
     */
    public static boolean isRelayType(String type) {
        return type != null && type.startsWith(TYPE_PREFIX);
    }

    /**
     * Decodes a relay message from an envelope's type and payload.
     *
     * @param type    the envelope type
     * @param payload the envelope payload
     * @return the message
     * @throws WireException if the type is unknown or the payload is not a valid encoding of it
     */
    public static RelayMessage decode(String type, Object payload) throws WireException {
        if (!(payload instanceof byte[] bytes)) {
            throw new WireException(WireProblem.NOT_BYTES, type + " carries " + (payload == null ? "no payload"
                    : payload.getClass().getSimpleName()) + ", not bytes");
        }
        WireReader r = new WireReader(bytes);
        int version = r.byte1();
        if (version != VERSION) {
            throw new WireException(WireProblem.UNKNOWN_VERSION, type + " has format version " + version);
        }
        RelayMessage message = switch (type) {
            case STORE -> {
                int n = r.count(RelayMessage.MAX_ENTRIES);
                List<StoreEntry> entries = new ArrayList<>(Math.min(n, 64));
                for (int i = 0; i < n; i++) {
                    entries.add(new StoreEntry(r.node(), r.varint(), expiryIn(r.varint()), r.engineOrNull("src_engine"),
                            r.bytes("note"), r.bytes("sealed")));
                }
                yield new Store(entries);
            }
            case STORED -> {
                int n = r.count(RelayMessage.MAX_ENTRIES);
                long[] ids = new long[Math.min(n, r.remaining())];
                if (ids.length < n) {
                    throw new WireException(WireProblem.TRUNCATED, n + " ids announced, at most " + ids.length + " fit");
                }
                for (int i = 0; i < n; i++) {
                    ids[i] = r.varint();
                }
                yield new Stored(ids);
            }
            case REFUSED -> {
                int n = r.count(RelayMessage.MAX_ENTRIES);
                List<RefusedEntry> entries = new ArrayList<>(Math.min(n, 64));
                for (int i = 0; i < n; i++) {
                    long id = r.varint();
                    int code = (int) r.varint("reason", 0, 255);
                    Refusal reason = Refusal.ofCode(code);
                    if (reason == null) {
                        throw new WireException(WireProblem.BAD_FIELD, "unknown refusal code " + code);
                    }
                    entries.add(new RefusedEntry(id, reason));
                }
                yield new Refused(entries);
            }
            case EXPIRED -> {
                NodeId edge = r.node();
                int n = r.count(RelayMessage.MAX_ENTRIES);
                List<ExpiredEntry> entries = new ArrayList<>(Math.min(n, 64));
                for (int i = 0; i < n; i++) {
                    entries.add(new ExpiredEntry(r.varint(), r.engineOrNull("src_engine"), r.bytes("note")));
                }
                yield new Expired(edge, entries);
            }
            case REGISTER -> new Register();
            case REGISTERED -> {
                int code = (int) r.varint("status", 0, 255);
                RegisterStatus status = RegisterStatus.ofCode(code);
                if (status == null) {
                    throw new WireException(WireProblem.BAD_FIELD, "unknown registration status " + code);
                }
                yield new Registered(status, r.varint("quota_messages", 0, Long.MAX_VALUE),
                        r.varint("quota_bytes", 0, Long.MAX_VALUE), r.varint("max_message_bytes", 0, Long.MAX_VALUE));
            }
            case DELIVER -> {
                int n = r.count(RelayMessage.MAX_ENTRIES);
                List<DeliverEntry> entries = new ArrayList<>(Math.min(n, 64));
                long previous = 0;
                for (int i = 0; i < n; i++) {
                    long seq = r.varint("seq", 1, Long.MAX_VALUE);
                    if (seq <= previous) {
                        throw new WireException(WireProblem.BAD_FIELD, "seq " + seq + " after " + previous + ": not ascending");
                    }
                    previous = seq;
                    entries.add(new DeliverEntry(seq, r.node(), r.bytes("sealed")));
                }
                yield new Deliver(entries);
            }
            case DELIVERED -> new Delivered(r.varint("up_to_seq", 0, Long.MAX_VALUE));
            default -> throw new WireException(WireProblem.UNKNOWN_TYPE, "'" + type + "' is not a relay message type");
        };
        r.end();
        return message;
    }

    /** Expiry on the wire: 0 for never; an expiry at or before the epoch becomes 1 ms (already expired). */
    static long expiryOut(long expiresAt) {
        return expiresAt == Envelope.NEVER ? 0 : Math.max(1, expiresAt);
    }

    static long expiryIn(long wire) throws WireException {
        if (wire < 0) {
            throw new WireException(WireProblem.BAD_FIELD, "expires_at " + Long.toUnsignedString(wire) + " is out of range");
        }
        return wire == 0 ? Envelope.NEVER : wire;
    }
}
