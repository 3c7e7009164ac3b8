package io.hypha.transport.internal.engine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.wire.Data;
import io.hypha.wire.Frame;
import io.hypha.wire.FrameError;
import io.hypha.wire.FrameException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the hot frame, {@code Frame{data}}, in one pass straight into an {@link Envelope}: no {@code Frame},
 * {@code Data} or {@code ByteString} objects, and one copy of the payload instead of two. The result is the one
 * {@link io.hypha.wire.FrameCodec#decode} and {@link io.hypha.wire.EnvelopeFrames#toEnvelope} give (tested against
 * them on valid and mangled input); whatever is unusual (another frame kind, a field with an unexpected wire type, a
 * second message in the frame) is left to them: {@link #decode} then returns {@code null}.
 *
 * <p>Stateless and thread-safe; the seq of the last frame decoded on a connection is handed back through
 * {@link Link#decodedSeq}, which only that connection's I/O thread touches.
 */
final class DataDecoder {
    private static final int FRAME_DATA_TAG = (Frame.DATA_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private DataDecoder() {
    }

    /**
     * @param body the frame body (its remaining bytes); its position is left unchanged
     * @param peer the authenticated node at the other end
     * @param link receives the Data's seq in {@link Link#decodedSeq}
     * @return the envelope, or {@code null} if the body is not a plain {@code Frame{data}} and needs the general path
     * @throws FrameException with {@link FrameError#MALFORMED_MESSAGE} if it is a {@code Frame{data}} that is not valid
     */
    static Envelope decode(ByteBuffer body, NodeId peer, Link link) throws FrameException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(body.duplicate());
            if (in.readTag() != FRAME_DATA_TAG) {
                return null;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            Envelope e = readData(in, peer, link);
            if (e == null) {
                return null;
            }
            in.popLimit(limit);
            return in.isAtEnd() ? e : null; // more fields after the Data: let the general path merge them
        } catch (InvalidProtocolBufferException e) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "the frame is not a valid Frame message (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, "the frame cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static Envelope readData(CodedInputStream in, NodeId peer, Link link) throws IOException, FrameException {
        long seq = 0;
        String srcEngine = "";
        byte[] srcNode = null;
        String dstEngine = "";
        long id = 0;
        long inReplyTo = 0;
        long expiresAt = 0;
        String type = "";
        int kind = 0;
        byte[] payload = null;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            int wire = WireFormat.getTagWireType(tag);
            switch (field) {
                case Data.SEQ_FIELD_NUMBER, Data.ID_FIELD_NUMBER, Data.IN_REPLY_TO_FIELD_NUMBER, Data.EXPIRES_AT_FIELD_NUMBER,
                        Data.PAYLOAD_KIND_FIELD_NUMBER -> {
                    if (wire != WireFormat.WIRETYPE_VARINT) {
                        return null;
                    }
                    long v = in.readRawVarint64();
                    switch (field) {
                        case Data.SEQ_FIELD_NUMBER -> seq = v;
                        case Data.ID_FIELD_NUMBER -> id = v;
                        case Data.IN_REPLY_TO_FIELD_NUMBER -> inReplyTo = v;
                        case Data.EXPIRES_AT_FIELD_NUMBER -> expiresAt = v;
                        default -> kind = (int) v;
                    }
                }
                case Data.SRC_ENGINE_FIELD_NUMBER, Data.DST_ENGINE_FIELD_NUMBER, Data.TYPE_FIELD_NUMBER -> {
                    if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        return null;
                    }
                    String v = link.names.decode(in.readByteArray());
                    switch (field) {
                        case Data.SRC_ENGINE_FIELD_NUMBER -> srcEngine = v;
                        case Data.DST_ENGINE_FIELD_NUMBER -> dstEngine = v;
                        default -> type = v;
                    }
                }
                case Data.SRC_NODE_FIELD_NUMBER, Data.PAYLOAD_FIELD_NUMBER -> {
                    if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        return null;
                    }
                    byte[] v = in.readByteArray();
                    if (field == Data.SRC_NODE_FIELD_NUMBER) {
                        srcNode = v;
                    } else {
                        payload = v;
                    }
                }
                default -> {
                    if (!in.skipField(tag)) {
                        return null; // an end-group tag: not something a Data message holds
                    }
                }
            }
        }
        link.decodedSeq = seq;
        return envelope(seq, srcEngine, srcNode, dstEngine, id, inReplyTo, expiresAt, type, kind, payload, peer);
    }

    /** The checks and mapping of {@code EnvelopeFrames.toEnvelope}, in its order. */
    private static Envelope envelope(long seq, String srcEngine, byte[] srcNode, String dstEngine, long id, long inReplyTo,
                                     long expiresAt, String type, int kind, byte[] payload, NodeId peer) throws FrameException {
        Envelope.Builder b = Envelope.builder()
                .dst(engine(dstEngine, null, "dst_engine", seq))
                .id(id)
                .inReplyTo(inReplyTo)
                .type(type);
        boolean hasNode = srcNode != null && srcNode.length > 0;
        if (!srcEngine.isEmpty()) {
            NodeId node = peer;
            if (hasNode) {
                if (srcNode.length != NodeId.LENGTH) {
                    throw new FrameException(FrameError.MALFORMED_MESSAGE, "src_node is " + srcNode.length + " bytes, not "
                            + NodeId.LENGTH, null);
                }
                node = NodeId.of(srcNode);
            }
            b.src(engine(srcEngine, node, "src_engine", seq));
        } else if (hasNode) {
            throw malformed(seq, "src_node is set but src_engine is empty");
        }
        if (expiresAt < 0) {
            throw malformed(seq, "expires_at is negative (" + expiresAt + ")");
        }
        b.expiresAt(expiresAt == 0 ? Envelope.NEVER : expiresAt);
        int length = payload == null ? 0 : payload.length;
        switch (kind) {
            case Data.PayloadKind.NONE_VALUE -> {
                if (length != 0) {
                    throw malformed(seq, "payload_kind is NONE but " + length + " payload bytes follow");
                }
                b.payload(null);
            }
            case Data.PayloadKind.BYTES_VALUE -> b.payload(payload == null ? new byte[0] : payload);
            case Data.PayloadKind.UTF8_VALUE -> {
                if (length == 0) {
                    b.payload("");
                } else if (!UnsafeByteOperations.unsafeWrap(payload).isValidUtf8()) {
                    throw malformed(seq, "payload_kind is UTF8 but the payload is not valid UTF-8");
                } else {
                    b.payload(new String(payload, StandardCharsets.UTF_8));
                }
            }
            default -> throw malformed(seq, "payload_kind " + kind + " is unknown");
        }
        return b.build();
    }

    private static EngineAddress engine(String name, NodeId node, String field, long seq) throws FrameException {
        try {
            return new EngineAddress(node, name);
        } catch (IllegalArgumentException e) {
            throw new FrameException(FrameError.MALFORMED_MESSAGE, field + " is not a valid engine name: " + e.getMessage(), e);
        }
    }

    private static FrameException malformed(long seq, String problem) {
        return new FrameException(FrameError.MALFORMED_MESSAGE, "Data seq " + Long.toUnsignedString(seq) + ": " + problem, null);
    }
}
