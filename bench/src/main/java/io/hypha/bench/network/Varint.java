package io.hypha.bench.network;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The frame length prefix of the bare QUIC baseline: an unsigned varint (7 bits a byte, least significant first), the
 * same encoding as Hypha's wire format (docs/wire-protocol.md section 2) and Netty's
 * {@code ProtobufVarint32FrameDecoder}, which the bare TLS baseline uses.
 */
final class Varint {
    /** A frame length needs at most this many bytes. */
    static final int MAX_BYTES = 5;

    private Varint() {
    }

    /** Writes {@code value} (at least 0). */
    static void write(OutputStream out, int value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative length " + value);
        }
        int v = value;
        while ((v & ~0x7F) != 0) {
            out.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    /**
     * @return the next value
     * @throws EOFException if the stream ends before or inside it
     * @throws IOException  if it is longer than {@value #MAX_BYTES} bytes or reading fails
     */
    static int read(InputStream in) throws IOException {
        int value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the stream ended inside a length prefix");
            }
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (value < 0) {
                    break;
                }
                return value;
            }
        }
        throw new IOException("malformed length prefix");
    }
}
