package io.hypha.wire;

import com.google.protobuf.ByteString;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Maps an {@link Envelope} to a {@link Data} frame and back, so that every node reads the envelope fields the same
 * way (docs/wire-protocol.md, "Data"):
 * <ul>
 *   <li>{@code src}: {@code null} is an empty {@code src_engine}; the source node is left out (empty
 *       {@code src_node}) when it is the sending node, and an empty {@code src_node} is read as the peer.</li>
 *   <li>{@code dst}: only the engine name travels; the receiver reads it as a local address.</li>
 *   <li>{@code expiresAt}: {@link Envelope#NEVER} is 0; an expiry at or before the epoch is sent as 1 ms (already
 *       expired), so 0 keeps its one meaning.</li>
 *   <li>payload: {@code null}, {@code byte[]} or {@link String} (UTF-8), told apart by {@code payload_kind}.</li>
 * </ul>
 */
public final class EnvelopeFrames {
    private EnvelopeFrames() {
    }

    /**
     * Encodes an envelope as a session message.
     *
     * @param seq      the message's number in the sender's session (at least 1)
     * @param envelope the message
     * @param sender   this node: a source on this node (or a local source) is sent without its node id
     * @return the Data message
     * @throws IllegalArgumentException if the payload is not {@code null}, {@code byte[]} or {@link String}, or
     *                                  {@code seq} is less than 1
     */
    public static Data toData(long seq, Envelope envelope, NodeId sender) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(sender, "sender");
        if (seq < 1) {
            throw new IllegalArgumentException("session numbers start at 1, got " + seq);
        }
        Data.Builder data = Data.newBuilder()
                .setSeq(seq)
                .setDstEngine(envelope.dst().engine())
                .setId(envelope.id())
                .setInReplyTo(envelope.inReplyTo())
                .setType(envelope.type());
        EngineAddress src = envelope.src();
        if (src != null) {
            data.setSrcEngine(src.engine());
            if (src.node() != null && !src.node().equals(sender)) {
                data.setSrcNode(ByteString.copyFrom(src.node().publicKey()));
            }
        }
        long expiresAt = envelope.expiresAt();
        if (expiresAt != Envelope.NEVER) {
            data.setExpiresAt(Math.max(expiresAt, 1L));
        }
        Object payload = envelope.payload();
        if (payload instanceof byte[] bytes) {
            data.setPayloadKind(Data.PayloadKind.BYTES).setPayload(ByteString.copyFrom(bytes));
        } else if (payload instanceof String text) {
            data.setPayloadKind(Data.PayloadKind.UTF8).setPayload(ByteString.copyFromUtf8(text));
        } else if (payload != null) {
            throw new IllegalArgumentException("a payload that crosses a node boundary must be byte[] or String, not "
                    + payload.getClass().getName() + " (" + envelope + ")");
        }
        return data.build();
    }

    /**
     * Decodes a session message into the envelope it carries.
     *
     * @param data the Data message
     * @param peer the authenticated node at the other end of the connection
     * @return the envelope, its {@code dst} a local address
     * @throws FrameException with {@link FrameError#MALFORMED_MESSAGE} if a field is invalid: an engine name, a
     *                        node id that is not 32 bytes, a node without an engine, a negative expiry, an unknown
     *                        payload kind, a payload with kind NONE, or invalid UTF-8
     */
    public static Envelope toEnvelope(Data data, NodeId peer) throws FrameException {
        Objects.requireNonNull(peer, "peer");
        Envelope.Builder envelope = Envelope.builder()
                .dst(engine(data.getDstEngine(), null, "dst_engine"))
                .id(data.getId())
                .inReplyTo(data.getInReplyTo())
                .type(data.getType());
        if (!data.getSrcEngine().isEmpty()) {
            envelope.src(engine(data.getSrcEngine(), data.getSrcNode().isEmpty() ? peer : node(data.getSrcNode()), "src_engine"));
        } else if (!data.getSrcNode().isEmpty()) {
            throw malformed(data, "src_node is set but src_engine is empty");
        }
        if (data.getExpiresAt() < 0) {
            throw malformed(data, "expires_at is negative (" + data.getExpiresAt() + ")");
        }
        envelope.expiresAt(data.getExpiresAt() == 0 ? Envelope.NEVER : data.getExpiresAt());
        envelope.payload(switch (data.getPayloadKind()) {
            case NONE -> {
                if (!data.getPayload().isEmpty()) {
                    throw malformed(data, "payload_kind is NONE but " + data.getPayload().size() + " payload bytes follow");
                }
                yield null;
            }
            case BYTES -> data.getPayload().toByteArray();
            case UTF8 -> utf8(data);
            case UNRECOGNIZED -> throw malformed(data, "payload_kind " + data.getPayloadKindValue() + " is unknown");
        });
        return envelope.build();
    }

    private static EngineAddress engine(String name, NodeId node, String field) throws FrameException {
        try {
            return new EngineAddress(node, name);
        } catch (IllegalArgumentException e) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, field + " is not a valid engine name: " + e.getMessage(), e);
        }
    }

    private static NodeId node(ByteString bytes) throws FrameException {
        if (bytes.size() != NodeId.LENGTH) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "src_node is " + bytes.size() + " bytes, not "
                    + NodeId.LENGTH, null);
        }
        return NodeId.of(bytes.toByteArray());
    }

    private static String utf8(Data data) throws FrameException {
        try {
            // A fresh decoder reports malformed input instead of replacing it, unlike ByteString.toStringUtf8().
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(data.getPayload().toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw malformed(data, "payload_kind is UTF8 but the payload is not valid UTF-8");
        }
    }

    private static FrameException malformed(Data data, String problem) {
        return new FrameException(FrameError.MALFORMED_MESSAGE, "Data seq " + Long.toUnsignedString(data.getSeq()) + ": "
                + problem, null);
    }
}
