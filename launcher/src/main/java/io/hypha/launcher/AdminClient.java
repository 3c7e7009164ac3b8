package io.hypha.launcher;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The client side of the admin protocol of bundle {@code io.hypha.admin} (its {@code AdminProtocol} class is the
 * reference; the launcher cannot load bundle classes, so the few lines of framing are repeated here, and the
 * launcher's integration test runs both against each other).
 *
 * <pre>
 *   request:  "HYPHA-ADMIN/1\n" token "\n" command "\n"           (UTF-8)
 *   response: frames [type u8][length int32 BE][payload]
 *             'O' output text (any number), then 'X' [status u8][detail UTF-8] and the server closes
 * </pre>
 */
final class AdminClient {
    static final String MAGIC = "HYPHA-ADMIN/1";
    /** The verb that stops the node. */
    static final String SHUTDOWN = "shutdown";
    private static final int MAX_FRAME = 1 << 20;
    private static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    /** How a request ended, as the server reports it (the exit frame's status code). */
    enum Status {
        /** Ran and returned normally. */
        OK,
        /** The command threw. */
        FAILED,
        /** The command outlived the node's command timeout. */
        TIMEOUT,
        /** Wrong token. */
        BAD_TOKEN,
        /** Command longer than the node accepts. */
        TOO_LONG,
        /** Every slot busy. */
        BUSY,
        /** Not understood. */
        BAD_REQUEST;

        static Status of(int code) {
            Status[] all = values();
            if (code < 0 || code >= all.length) {
                throw new IllegalArgumentException("unknown admin status code " + code);
            }
            return all[code];
        }

        /** @return the launcher's exit code for this outcome */
        ExitCode exitCode() {
            return switch (this) {
                case OK -> ExitCode.OK;
                case FAILED, TIMEOUT -> ExitCode.FAILED;
                case BAD_TOKEN, TOO_LONG, BUSY, BAD_REQUEST -> ExitCode.REFUSED;
            };
        }
    }

    /**
     * The end of a request.
     *
     * @param status how it ended
     * @param detail the server's explanation (empty on success)
     */
    record Outcome(Status status, String detail) {
    }

    private final int port;
    private final String token;
    private final int readTimeoutMillis;

    /**
     * @param port              the node's admin port on 127.0.0.1
     * @param token             the node's token
     * @param readTimeoutMillis how long to wait for the next bytes of the answer
     */
    AdminClient(int port, String token, int readTimeoutMillis) {
        this.port = port;
        this.token = token;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /**
     * Sends a command and copies its output as it arrives.
     *
     * @param command the command line
     * @param output  where the command's output goes
     * @return how it ended
     * @throws java.net.ConnectException if nothing listens on the port
     * @throws IOException               on other I/O errors or a malformed answer
     */
    Outcome call(String command, OutputStream output) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(readTimeoutMillis);
            OutputStream out = socket.getOutputStream();
            try {
                out.write((MAGIC + "\n" + token + "\n" + command + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // The server may have answered (for example TOO_LONG) and stopped reading: its answer is still there.
            }
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            while (true) {
                int type = in.readUnsignedByte();
                int length = in.readInt();
                if (length < 0 || length > MAX_FRAME || (type != 'O' && type != 'X') || (type == 'X' && length < 1)) {
                    throw new IOException("malformed answer from the admin endpoint (frame type " + type + ", length " + length + ")");
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == 'O') {
                    output.write(payload);
                    output.flush();
                } else {
                    Status status = Status.of(payload[0] & 0xff);
                    return new Outcome(status, new String(payload, 1, length - 1, StandardCharsets.UTF_8));
                }
            }
        }
    }
}
