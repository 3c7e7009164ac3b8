package io.hypha.transport.internal.engine;

import com.google.protobuf.CodedOutputStream;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.wire.Ack;
import io.hypha.wire.Data;
import io.hypha.wire.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the two frames of the hot path, {@code Frame{data}} and {@code Frame{ack}}, without building protobuf
 * objects. The bytes are exactly those of the generated classes with {@link io.hypha.wire.EnvelopeFrames#toData}
 * (canonical field order; tested byte for byte), so any protobuf parser reads them.
 *
 * <h2>Why in two steps</h2>
 * A message is encoded once, on the sender's thread, into its <em>body</em>: the Data fields 2 to 10 (everything but
 * {@code seq}). The engine thread numbers it later, possibly several times (a resend keeps its seq), and writes
 * {@code Frame{data}} around the body:
 * <pre>
 *  0x1a | varint(L) | 0x08 | varint(seq) | body         L = 1 + size(varint(seq)) + body.length
 *  └ Frame.data (field 3, length-delimited)  └ Data.seq (field 1, varint), first as in canonical order
 * </pre>
 * and {@code Frame{ack}}: {@code 0x22 | varint(L) | [0x08 | varint(seq)]} (seq 0 is the empty Ack).
 */
final class DataFrames {
    /** Tag of {@code Frame.data}: field 3, wire type 2. */
    private static final int FRAME_DATA_TAG = (Frame.DATA_FIELD_NUMBER << 3) | 2;
    /** Tag of {@code Frame.ack}: field 4, wire type 2. */
    private static final int FRAME_ACK_TAG = (Frame.ACK_FIELD_NUMBER << 3) | 2;
    /** Tag of {@code Data.seq} and {@code Ack.seq}: field 1, wire type 0. */
    private static final int SEQ_TAG = (Data.SEQ_FIELD_NUMBER << 3);
    /** Longest {@code Frame{ack}}: tag, a one-byte length, tag, a 10-byte varint. */
    static final int MAX_ACK_FRAME = 13;

    static {
        if (Ack.SEQ_FIELD_NUMBER != Data.SEQ_FIELD_NUMBER) {
            throw new ExceptionInInitializerError("Ack.seq and Data.seq are expected to share field number 1");
        }
    }

    private DataFrames() {
    }

    /**
     * Encodes an envelope's Data fields but {@code seq}.
     *
     * @param envelope the message
     * @param sender   this node: a source on this node is sent without its node id
     * @return the body, or {@code null} if the payload is not {@code null}, {@code byte[]} or {@link String}
     */
    static byte[] encodeBody(Envelope envelope, NodeId sender) {
        Object payload = envelope.payload();
        int kind;
        if (payload == null) {
            kind = Data.PayloadKind.NONE_VALUE;
        } else if (payload instanceof byte[]) {
            kind = Data.PayloadKind.BYTES_VALUE;
        } else if (payload instanceof String) {
            kind = Data.PayloadKind.UTF8_VALUE;
        } else {
            return null;
        }
        // Strings that are not well-formed UTF-16 go through the JDK's encoder (as EnvelopeFrames does), which
        // replaces unpaired surrogates the same way without protobuf's logged warning.
        String type = envelope.type();
        byte[] typeBytes = wellFormed(type) ? null : type.getBytes(StandardCharsets.UTF_8);
        byte[] textBytes = payload instanceof String t && !wellFormed(t) ? t.getBytes(StandardCharsets.UTF_8) : null;
        EngineAddress src = envelope.src();
        String srcEngine = src == null ? "" : src.engine();
        NodeId srcNode = src == null || src.node() == null || src.node().equals(sender) ? null : src.node();
        long expiresAt = envelope.expiresAt() == Envelope.NEVER ? 0 : Math.max(envelope.expiresAt(), 1L);

        int size = 0;
        if (!srcEngine.isEmpty()) {
            size += CodedOutputStream.computeStringSize(Data.SRC_ENGINE_FIELD_NUMBER, srcEngine);
        }
        if (srcNode != null) {
            size += CodedOutputStream.computeTagSize(Data.SRC_NODE_FIELD_NUMBER) + 1 + NodeId.LENGTH;
        }
        size += CodedOutputStream.computeStringSize(Data.DST_ENGINE_FIELD_NUMBER, envelope.dst().engine());
        if (envelope.id() != 0) {
            size += CodedOutputStream.computeUInt64Size(Data.ID_FIELD_NUMBER, envelope.id());
        }
        if (envelope.inReplyTo() != 0) {
            size += CodedOutputStream.computeUInt64Size(Data.IN_REPLY_TO_FIELD_NUMBER, envelope.inReplyTo());
        }
        if (expiresAt != 0) {
            size += CodedOutputStream.computeInt64Size(Data.EXPIRES_AT_FIELD_NUMBER, expiresAt);
        }
        if (typeBytes != null) {
            size += CodedOutputStream.computeByteArraySize(Data.TYPE_FIELD_NUMBER, typeBytes);
        } else if (!type.isEmpty()) {
            size += CodedOutputStream.computeStringSize(Data.TYPE_FIELD_NUMBER, type);
        }
        if (kind != Data.PayloadKind.NONE_VALUE) {
            size += CodedOutputStream.computeEnumSize(Data.PAYLOAD_KIND_FIELD_NUMBER, kind);
        }
        if (payload instanceof byte[] bytes && bytes.length > 0) {
            size += CodedOutputStream.computeByteArraySize(Data.PAYLOAD_FIELD_NUMBER, bytes);
        } else if (textBytes != null) {
            size += CodedOutputStream.computeByteArraySize(Data.PAYLOAD_FIELD_NUMBER, textBytes);
        } else if (payload instanceof String text && !text.isEmpty()) {
            size += CodedOutputStream.computeStringSize(Data.PAYLOAD_FIELD_NUMBER, text);
        }

        byte[] out = new byte[size];
        CodedOutputStream stream = CodedOutputStream.newInstance(out);
        try {
            if (!srcEngine.isEmpty()) {
                stream.writeString(Data.SRC_ENGINE_FIELD_NUMBER, srcEngine);
            }
            if (srcNode != null) {
                stream.writeByteArray(Data.SRC_NODE_FIELD_NUMBER, srcNode.publicKey());
            }
            stream.writeString(Data.DST_ENGINE_FIELD_NUMBER, envelope.dst().engine());
            if (envelope.id() != 0) {
                stream.writeUInt64(Data.ID_FIELD_NUMBER, envelope.id());
            }
            if (envelope.inReplyTo() != 0) {
                stream.writeUInt64(Data.IN_REPLY_TO_FIELD_NUMBER, envelope.inReplyTo());
            }
            if (expiresAt != 0) {
                stream.writeInt64(Data.EXPIRES_AT_FIELD_NUMBER, expiresAt);
            }
            if (typeBytes != null) {
                stream.writeByteArray(Data.TYPE_FIELD_NUMBER, typeBytes);
            } else if (!type.isEmpty()) {
                stream.writeString(Data.TYPE_FIELD_NUMBER, type);
            }
            if (kind != Data.PayloadKind.NONE_VALUE) {
                stream.writeEnum(Data.PAYLOAD_KIND_FIELD_NUMBER, kind);
            }
            if (payload instanceof byte[] bytes && bytes.length > 0) {
                stream.writeByteArray(Data.PAYLOAD_FIELD_NUMBER, bytes);
            } else if (textBytes != null) {
                stream.writeByteArray(Data.PAYLOAD_FIELD_NUMBER, textBytes);
            } else if (payload instanceof String text && !text.isEmpty()) {
                stream.writeString(Data.PAYLOAD_FIELD_NUMBER, text);
            }
            stream.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException("encoding into an array of the computed size cannot fail", e);
        }
        return out;
    }

    /** @return whether every surrogate in {@code s} is part of a pair */
    static boolean wellFormed(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * @param seq        the message's number
     * @param bodyLength its body's length
     * @return the length of its {@code Frame{data}}
     */
    static int dataFrameSize(long seq, int bodyLength) {
        int data = 1 + CodedOutputStream.computeUInt64SizeNoTag(seq) + bodyLength;
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(data) + data;
    }

    /**
     * Writes {@code Frame{data}}.
     *
     * @param dst  where to write; needs {@link #dataFrameSize} bytes; its position advances past the frame
     * @param seq  the message's number
     * @param body the body from {@link #encodeBody}
     */
    static void putData(ByteBuffer dst, long seq, byte[] body) {
        int data = 1 + CodedOutputStream.computeUInt64SizeNoTag(seq) + body.length;
        dst.put((byte) FRAME_DATA_TAG);
        putVarint(dst, data);
        dst.put((byte) SEQ_TAG);
        putVarint(dst, seq);
        dst.put(body);
    }

    /**
     * Writes {@code Frame{ack{seq}}}.
     *
     * @param dst where to write; needs at most {@link #MAX_ACK_FRAME} bytes
     * @param seq the acknowledged seq
     */
    static void putAck(ByteBuffer dst, long seq) {
        dst.put((byte) FRAME_ACK_TAG);
        if (seq == 0) {
            dst.put((byte) 0);
            return;
        }
        putVarint(dst, 1 + CodedOutputStream.computeUInt64SizeNoTag(seq));
        dst.put((byte) SEQ_TAG);
        putVarint(dst, seq);
    }

    private static void putVarint(ByteBuffer dst, long value) {
        while ((value & ~0x7FL) != 0) {
            dst.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        dst.put((byte) value);
    }
}
