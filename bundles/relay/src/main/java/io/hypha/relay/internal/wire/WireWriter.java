package io.hypha.relay.internal.wire;

import io.hypha.api.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends the relay protocol's field types to a growing byte array: unsigned LEB128 varints (as Protocol Buffers
 * writes them), length-prefixed byte strings and UTF-8 strings, raw 32-byte node ids. Not thread-safe; one per
 * message.
 */
final class WireWriter {
    private byte[] buf;
    private int size;

    /** @param capacity the initial capacity in bytes */
    WireWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    WireWriter byte1(int value) {
        ensure(1);
        buf[size++] = (byte) value;
        return this;
    }

    /** Writes {@code value} as an unsigned varint (negative values take ten bytes, as in Protocol Buffers). */
    WireWriter varint(long value) {
        ensure(10);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    WireWriter bytes(byte[] value) {
        varint(value.length);
        raw(value);
        return this;
    }

    /** Writes a string as varint length and UTF-8; {@code null} is written as the empty string. */
    WireWriter string(String value) {
        return bytes(value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
    }

    WireWriter node(NodeId node) {
        return raw(node.publicKey());
    }

    WireWriter raw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buf, size, value.length);
        size += value.length;
        return this;
    }

    /** @return the bytes written */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }

    /** @return how many bytes a varint of {@code value} takes */
    static int varintSize(long value) {
        int n = 1;
        long v = value;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }
}
