package io.hypha.admin.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The admin wire protocol, version 1: what {@code ./hypha exec} and {@code ./hypha stop} speak to a node.
 *
 * <h2>Request (client to server)</h2>
 * Three UTF-8 lines, each ended by LF (a CR before the LF is ignored):
 * <pre>
 *   HYPHA-ADMIN/1            protocol magic and version
 *   &lt;token&gt;                  the 64 hex characters of {@code <hypha.data>/admin.token}
 *   &lt;command&gt;                one Gogo command line, or the reserved verb {@code shutdown}
 * </pre>
 *
 * <h2>Response (server to client)</h2>
 * A sequence of frames; the last one is an exit frame, after which the server closes the connection.
 * <pre>
 *   0        1                5
 *   +--------+----------------+---------------------------+
 *   |  type  | length (int32, | payload (length bytes)    |
 *   |  (u8)  | big endian)    |                           |
 *   +--------+----------------+---------------------------+
 *   type 'O' (0x4F): command output, UTF-8 text; zero or more frames
 *   type 'X' (0x58): exit; payload = status code (u8) followed by a UTF-8 detail text
 * </pre>
 * The status codes are those of {@link Status}. Output and exit frames are at most {@link #MAX_FRAME} bytes long.
 */
public final class AdminProtocol {
    /** First request line. */
    public static final String MAGIC = "HYPHA-ADMIN/1";
    /** The reserved verb that stops the node instead of running a Gogo command. */
    public static final String SHUTDOWN = "shutdown";
    /** Frame type of an output chunk. */
    public static final byte OUTPUT = 'O';
    /** Frame type of the final exit frame. */
    public static final byte EXIT = 'X';
    /** Largest frame payload either side accepts. */
    public static final int MAX_FRAME = 1 << 20;

    /** How a request ended; the code is the first payload byte of the exit frame. */
    public enum Status {
        /** The command ran and returned normally (or the node is stopping, for {@code shutdown}). */
        OK(0),
        /** The command threw; the detail says why. */
        FAILED(1),
        /** The command ran longer than the configured timeout; it was interrupted. */
        TIMEOUT(2),
        /** The token did not match this node's current token. */
        BAD_TOKEN(3),
        /** The command line was longer than the configured maximum. */
        TOO_LONG(4),
        /** Every connection or command slot was in use. */
        BUSY(5),
        /** The request was not a protocol-1 request, or it did not arrive within the read timeout. */
        BAD_REQUEST(6);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** @return the code sent on the wire */
        public int code() {
            return code;
        }

        /**
         * @param code a wire code
         * @return its status
         * @throws IllegalArgumentException for an unknown code
         */
        public static Status of(int code) {
            for (Status s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown admin status code " + code);
        }
    }

    /** A line was longer than allowed; nothing after it was read. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(int max) {
            super("line longer than " + max + " bytes");
        }
    }

    private AdminProtocol() {
    }

    /**
     * Reads one LF-terminated UTF-8 line without ever buffering more than {@code maxBytes}.
     *
     * @param in       the stream
     * @param maxBytes the longest line accepted, without its terminator
     * @return the line without CR/LF
     * @throws LineTooLongException if the line is longer
     * @throws EOFException         if the stream ends before the LF
     * @throws IOException          on I/O errors and read timeouts
     */
    public static String readLine(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(Math.min(maxBytes, 256));
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the end of a line");
            }
            if (b == '\n') {
                break;
            }
            if (line.size() >= maxBytes + 1) {
                // one extra byte allowed for a CR before the LF
                throw new LineTooLongException(maxBytes);
            }
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        if (length > maxBytes) {
            throw new LineTooLongException(maxBytes);
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Writes an output frame.
     *
     * @param out   the stream
     * @param bytes the output bytes, at most {@link #MAX_FRAME}
     * @throws IOException on I/O errors
     */
    public static void writeOutput(DataOutputStream out, byte[] bytes) throws IOException {
        for (int offset = 0; offset < bytes.length; offset += MAX_FRAME) {
            int length = Math.min(MAX_FRAME, bytes.length - offset);
            out.writeByte(OUTPUT);
            out.writeInt(length);
            out.write(bytes, offset, length);
        }
    }

    /**
     * Writes the exit frame and flushes.
     *
     * @param out    the stream
     * @param status how the request ended
     * @param detail a sentence for the operator (may be empty)
     * @throws IOException on I/O errors
     */
    public static void writeExit(DataOutputStream out, Status status, String detail) throws IOException {
        byte[] text = detail.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_FRAME - 1);
        out.writeByte(EXIT);
        out.writeInt(length + 1);
        out.writeByte(status.code());
        out.write(text, 0, length);
        out.flush();
    }

    /** One response frame as read by a client. */
    public record Frame(byte type, byte[] payload) {
        /** @return for an exit frame, its status */
        public Status status() {
            return Status.of(payload[0] & 0xff);
        }

        /** @return for an exit frame, its detail text; for an output frame, its text */
        public String text() {
            int from = type == EXIT ? 1 : 0;
            return new String(payload, from, payload.length - from, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads one response frame.
     *
     * @param in the stream
     * @return the frame
     * @throws IOException on I/O errors, an unknown type or an oversize frame
     */
    public static Frame readFrame(DataInputStream in) throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (type != OUTPUT && type != EXIT) {
            throw new IOException("unknown admin frame type " + (type & 0xff));
        }
        if (length < (type == EXIT ? 1 : 0) || length > MAX_FRAME) {
            throw new IOException("admin frame length " + length + " out of range");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(type, payload);
    }

    /**
     * Writes a request (used by tests and by clients in the same language).
     *
     * @param out     the stream
     * @param token   the token
     * @param command the command line (no LF)
     * @throws IOException on I/O errors
     */
    public static void writeRequest(OutputStream out, String token, String command) throws IOException {
        out.write((MAGIC + "\n" + token + "\n" + command + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
