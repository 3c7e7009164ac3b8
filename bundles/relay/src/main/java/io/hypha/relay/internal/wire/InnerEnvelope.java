package io.hypha.relay.internal.wire;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a sender seals for an edge node: the message's envelope without its nodes (the edge node is the destination;
 * the sender is proven by the seal) and the sender's ticket, which the edge node uses to drop duplicates.
 *
 * <pre>
 *  0x01 ‖ ticket (varint) ‖ dst_engine (string) ‖ src_engine (string, empty: none) ‖ id (varint)
 *       ‖ in_reply_to (varint) ‖ expires_at (varint, 0: never) ‖ type (string) ‖ payload_kind (1 byte: 0 none,
 *       1 bytes, 2 UTF-8) ‖ payload (bytes)
 * </pre>
 *
 * @param ticket   the sender's id of the message (unique per sender, see docs/relay-protocol.md)
 * @param envelope the message, its destination a local address and its source on the sending node
 */
public record InnerEnvelope(long ticket, Envelope envelope) {
    /** Payload kinds. */
    private static final int NONE = 0;
    private static final int BYTES = 1;
    private static final int UTF8 = 2;

    /** @throws NullPointerException if the envelope is null */
    public InnerEnvelope {
        Objects.requireNonNull(envelope, "envelope");
    }

    /**
     * @param ticket   the sender's id of the message
     * @param envelope the message
     * @return the plaintext to seal
     * @throws IllegalArgumentException if the payload is not {@code null}, {@code byte[]} or {@link String}
     */
    public static byte[] encode(long ticket, Envelope envelope) {
        Object payload = envelope.payload();
        int kind;
        byte[] bytes;
        if (payload == null) {
            kind = NONE;
            bytes = new byte[0];
        } else if (payload instanceof byte[] b) {
            kind = BYTES;
            bytes = b;
        } else if (payload instanceof String s) {
            kind = UTF8;
            bytes = s.getBytes(StandardCharsets.UTF_8);
        } else {
            throw new IllegalArgumentException("a payload that crosses a node boundary must be byte[] or String, not "
                    + payload.getClass().getName());
        }
        return new WireWriter(64 + envelope.type().length() + bytes.length).byte1(RelayCodec.VERSION).varint(ticket)
                .string(envelope.dst().engine()).string(envelope.src() == null ? null : envelope.src().engine())
                .varint(envelope.id()).varint(envelope.inReplyTo()).varint(RelayCodec.expiryOut(envelope.expiresAt()))
                .string(envelope.type()).byte1(kind).bytes(bytes).toByteArray();
    }

    /**
     * @param plaintext what {@link #encode} made, as opened
     * @param srcNode   the node that sealed it (proven by opening it)
     * @return the message: its destination local, its source on {@code srcNode}
     * @throws WireException if the bytes are not an inner envelope
     */
    public static InnerEnvelope decode(byte[] plaintext, NodeId srcNode) throws WireException {
        WireReader r = new WireReader(plaintext);
        int version = r.byte1();
        if (version != RelayCodec.VERSION) {
            throw new WireException(WireProblem.UNKNOWN_VERSION, "inner envelope format version " + version);
        }
        long ticket = r.varint();
        String dst = r.engine("dst_engine");
        String src = r.engineOrNull("src_engine");
        Envelope.Builder b = Envelope.builder().dst(EngineAddress.local(dst))
                .src(src == null ? null : EngineAddress.of(srcNode, src))
                .id(r.varint()).inReplyTo(r.varint()).expiresAt(RelayCodec.expiryIn(r.varint())).type(r.string("type"));
        int kind = r.byte1();
        byte[] bytes = r.bytes("payload");
        b.payload(switch (kind) {
            case NONE -> {
                if (bytes.length != 0) {
                    throw new WireException(WireProblem.BAD_FIELD, "payload kind none with " + bytes.length + " bytes");
                }
                yield null;
            }
            case BYTES -> bytes;
            case UTF8 -> {
                try {
                    yield StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new WireException(WireProblem.BAD_FIELD, "payload kind UTF-8 but the payload is not UTF-8");
                }
            }
            default -> throw new WireException(WireProblem.BAD_FIELD, "unknown payload kind " + kind);
        });
        r.end();
        return new InnerEnvelope(ticket, b.build());
    }
}
