package io.hypha.relay.internal.wire;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.util.Objects;

/**
 * A sender's note to itself about a message it handed to a relay: everything of the envelope but the payload, so that
 * when the relay reports the message expired the sender can tell the sending engine which message it was without
 * having kept it. The sender seals it for itself ({@code Sealer.sealFrom(self, note)}), so the relay stores it as
 * opaque bytes and cannot forge one.
 *
 * <pre>
 *  0x01 ‖ ticket (varint) ‖ dst_node (32) ‖ dst_engine (string) ‖ src_engine (string, empty: none) ‖ id (varint)
 *       ‖ in_reply_to (varint) ‖ expires_at (varint, 0: never) ‖ type (string)
 * </pre>
 *
 * @param ticket   the sender's id of the message
 * @param envelope the message as it was sent, without its payload
 */
public record SenderNote(long ticket, Envelope envelope) {
    /** @throws NullPointerException if the envelope is null */
    public SenderNote {
        Objects.requireNonNull(envelope, "envelope");
    }

    /**
     * @param ticket   the sender's id of the message
     * @param envelope the message; its destination names the edge node
     * @return the note's plaintext
     */
    public static byte[] encode(long ticket, Envelope envelope) {
        return new WireWriter(80 + envelope.type().length()).byte1(RelayCodec.VERSION).varint(ticket)
                .node(envelope.dst().node()).string(envelope.dst().engine())
                .string(envelope.src() == null ? null : envelope.src().engine()).varint(envelope.id())
                .varint(envelope.inReplyTo()).varint(RelayCodec.expiryOut(envelope.expiresAt())).string(envelope.type())
                .toByteArray();
    }

    /**
     * @param plaintext the opened note
     * @param self      the sending node (this node)
     * @return the ticket and the message as it was sent, without its payload
     * @throws WireException if the bytes are not a note
     */
    public static SenderNote decode(byte[] plaintext, NodeId self) throws WireException {
        WireReader r = new WireReader(plaintext);
        int version = r.byte1();
        if (version != RelayCodec.VERSION) {
            throw new WireException(WireProblem.UNKNOWN_VERSION, "sender note format version " + version);
        }
        long ticket = r.varint();
        NodeId edge = r.node();
        String dst = r.engine("dst_engine");
        String src = r.engineOrNull("src_engine");
        Envelope envelope = Envelope.builder().dst(EngineAddress.of(edge, dst))
                .src(src == null ? null : EngineAddress.of(self, src)).id(r.varint()).inReplyTo(r.varint())
                .expiresAt(RelayCodec.expiryIn(r.varint())).type(r.string("type")).build();
        r.end();
        return new SenderNote(ticket, envelope);
    }
}
