package io.hypha.relay.internal.wire;

import io.hypha.api.EngineAddress;
import io.hypha.api.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link WireWriter} wrote, checking every length against the bytes that remain, so that no input can make
 * it allocate more than the input's size or read past its end. Not thread-safe; one per message.
 */
final class WireReader {
    private final byte[] buf;
    private int pos;

    WireReader(byte[] buf) {
        this.buf = buf;
    }

    int byte1() throws WireException {
        need(1);
        return buf[pos++] & 0xff;
    }

    /** Reads an unsigned varint of at most ten bytes. */
    long varint() throws WireException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = byte1();
            if (shift == 63 && (b & 0xFE) != 0) {
                throw new WireException(WireProblem.BAD_FIELD, "varint longer than 64 bits at offset " + (pos - 1));
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new WireException(WireProblem.BAD_FIELD, "varint longer than ten bytes at offset " + pos);
    }

    /** Reads a varint that must lie in {@code [min, max]}. */
    long varint(String field, long min, long max) throws WireException {
        long v = varint();
        if (v < min || v > max) {
            throw new WireException(WireProblem.BAD_FIELD, field + " is " + Long.toUnsignedString(v) + ", not within "
                    + min + ".." + max);
        }
        return v;
    }

    byte[] bytes(String field) throws WireException {
        long length = varint();
        if (length < 0 || length > remaining()) {
            throw new WireException(WireProblem.TRUNCATED, field + " claims " + Long.toUnsignedString(length)
                    + " bytes, " + remaining() + " remain");
        }
        byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) length);
        pos += (int) length;
        return out;
    }

    String string(String field) throws WireException {
        byte[] raw = bytes(field);
        try {
            // A fresh decoder reports malformed input instead of replacing it.
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new WireException(WireProblem.BAD_FIELD, field + " is not valid UTF-8");
        }
    }

    /** Reads an engine name; the empty string is {@code null} (no engine). */
    String engineOrNull(String field) throws WireException {
        String name = string(field);
        if (name.isEmpty()) {
            return null;
        }
        return engine(field, name);
    }

    /** Reads an engine name that must be present. */
    String engine(String field) throws WireException {
        return engine(field, string(field));
    }

    private static String engine(String field, String name) throws WireException {
        try {
            EngineAddress.checkEngineName(name);
            return name;
        } catch (IllegalArgumentException e) {
            throw new WireException(WireProblem.BAD_FIELD, field + " is not an engine name: " + e.getMessage());
        }
    }

    NodeId node() throws WireException {
        need(NodeId.LENGTH);
        NodeId id = NodeId.of(Arrays.copyOfRange(buf, pos, pos + NodeId.LENGTH));
        pos += NodeId.LENGTH;
        return id;
    }

    /** Reads an entry count, which must be at least 1 and at most {@code max}. */
    int count(long max) throws WireException {
        return (int) varint("entry count", 1, max);
    }

    int remaining() {
        return buf.length - pos;
    }

    void end() throws WireException {
        if (pos != buf.length) {
            throw new WireException(WireProblem.TRAILING_BYTES, remaining() + " bytes after the last field");
        }
    }

    private void need(int n) throws WireException {
        if (remaining() < n) {
            throw new WireException(WireProblem.TRUNCATED, "needed " + n + " more bytes at offset " + pos + ", "
                    + remaining() + " remain");
        }
    }
}
