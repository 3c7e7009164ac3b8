package io.hypha.transport.internal.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The engine names and message types last decoded on one connection, so that a stream of messages between the same
 * engines decodes each name once: later messages get the same {@code String} instance (its hash already computed for
 * the mailbox lookup) for the price of comparing a few bytes. Touched only by its connection's I/O thread.
 */
final class NameCache {
    /** Slots: a source, a destination and a type per conversation, for a few conversations at once. */
    static final int SLOTS = 8;

    private final byte[][] raw = new byte[SLOTS][];
    private final String[] names = new String[SLOTS];
    private int next;

    /**
     * @param bytes a name's UTF-8 bytes, as read from a frame
     * @return the name, the cached instance when the same bytes were seen lately
     * @throws InvalidProtocolBufferException if the bytes are not valid UTF-8
     */
    String decode(byte[] bytes) throws InvalidProtocolBufferException {
        for (int i = 0; i < SLOTS; i++) {
            if (Arrays.equals(raw[i], bytes)) {
                return names[i];
            }
        }
        if (!UnsafeByteOperations.unsafeWrap(bytes).isValidUtf8()) {
            throw new InvalidProtocolBufferException("a name or type is not valid UTF-8");
        }
        String name = new String(bytes, StandardCharsets.UTF_8);
        raw[next] = bytes;
        names[next] = name;
        next = (next + 1) % SLOTS;
        return name;
    }
}
