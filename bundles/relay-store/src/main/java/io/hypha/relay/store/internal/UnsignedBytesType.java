package io.hypha.relay.store.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * MVStore keys that are byte strings ordered unsigned-lexicographically, so that fixed-width big-endian fields
 * (node id, sequence number, expiry time) sort as numbers. MVStore's own byte array type has no order.
 */
public final class UnsignedBytesType extends BasicDataType<byte[]> {
    /** The one instance; the type has no state. */
    public static final UnsignedBytesType INSTANCE = new UnsignedBytesType();

    private UnsignedBytesType() {
    }

    @Override
    public int getMemory(byte[] value) {
        return 24 + value.length;
    }

    @Override
    public void write(WriteBuffer buffer, byte[] value) {
        buffer.putVarInt(value.length).put(value);
    }

    @Override
    public byte[] read(ByteBuffer buffer) {
        int length = DataUtils.readVarInt(buffer);
        byte[] value = new byte[length];
        buffer.get(value);
        return value;
    }

    @Override
    public int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    @Override
    public byte[][] createStorage(int size) {
        return new byte[size][];
    }
}
