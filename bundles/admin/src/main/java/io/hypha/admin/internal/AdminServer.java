package io.hypha.admin.internal;

import io.hypha.admin.internal.AdminProtocol.LineTooLongException;
import io.hypha.admin.internal.AdminProtocol.Status;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback socket server behind {@code ./hypha exec} and {@code ./hypha stop}; speaks {@link AdminProtocol}.
 *
 * <p>One acceptor thread hands each connection to a bounded pool ({@link AdminSettings#maxConnections()} threads, no
 * queue: a connection beyond the bound is answered {@code BUSY}). The connection thread reads the request under a
 * deadline, checks the token in constant time, and runs the command on a second bounded pool so that it can give up
 * after {@link AdminSettings#commandTimeoutMillis()} and still answer. A command that ignores the interrupt keeps its
 * slot until it ends; when every slot is held, new commands are answered {@code BUSY}. No client can hang the node.
 *
 * <p>Thread-safe; {@link #close()} stops everything and is idempotent.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_HEADER_LINE = 128;

    private final AdminSettings settings;
    private final byte[] token;
    private final CommandRunner runner;
    private final Runnable shutdown;
    private final ServerSocket server;
    private final ThreadPoolExecutor connections;
    private final ThreadPoolExecutor commands;
    private final Thread acceptor;
    private final AtomicLong refusedTokens = new AtomicLong();
    private volatile boolean closed;

    private AdminServer(AdminSettings settings, String token, CommandRunner runner, Runnable shutdown, ServerSocket server) {
        this.settings = settings;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.runner = runner;
        this.shutdown = shutdown;
        this.server = server;
        this.connections = pool(settings.maxConnections(), "hypha-admin-connection-");
        this.commands = pool(settings.maxConnections(), "hypha-admin-command-");
        this.acceptor = new Thread(this::acceptLoop, "hypha-admin-acceptor");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds 127.0.0.1 on the configured port and starts accepting.
     *
     * @param settings the bounds
     * @param token    the secret every request must present
     * @param runner   runs commands
     * @param shutdown called (on a connection thread, after the reply is sent) for the {@code shutdown} verb; must not
     *                 block
     * @return the running server
     * @throws IOException if the port cannot be bound
     */
    static AdminServer start(AdminSettings settings, String token, CommandRunner runner, Runnable shutdown) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), settings.maxConnections());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        AdminServer s = new AdminServer(settings, token, runner, shutdown, socket);
        s.acceptor.start();
        return s;
    }

    /** @return the bound port */
    int port() {
        return server.getLocalPort();
    }

    /** @return how many requests were refused for a wrong token since start */
    long refusedTokens() {
        return refusedTokens.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("admin: closing the server socket failed", e);
        }
        connections.shutdownNow();
        commands.shutdownNow();
        try {
            acceptor.join(2_000);
            connections.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("admin: accept failed on port {}; the endpoint stops accepting", port(), e);
                }
                return;
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                refuseBusy(socket);
            }
        }
    }

    private void refuseBusy(Socket socket) {
        try (socket) {
            socket.setSoTimeout((int) settings.readTimeoutMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            AdminProtocol.writeExit(out, Status.BUSY,
                    "the admin endpoint already serves " + settings.maxConnections() + " connections; try again");
        } catch (IOException e) {
            LOG.debug("admin: could not answer BUSY", e);
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.readTimeoutMillis());
            InputStream in = new BufferedInputStream(new DeadlineInputStream(socket, deadline));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            try {
                handle(socket, in, out);
            } catch (SocketTimeoutException e) {
                AdminProtocol.writeExit(out, Status.BAD_REQUEST,
                        "no complete request within " + settings.readTimeoutMillis() + " ms");
            } catch (EOFException e) {
                LOG.debug("admin: client closed before sending a whole request");
            }
        } catch (IOException e) {
            LOG.debug("admin: connection failed", e);
        }
    }

    private void handle(Socket socket, InputStream in, DataOutputStream out) throws IOException {
        String magic;
        try {
            magic = AdminProtocol.readLine(in, MAX_HEADER_LINE);
        } catch (LineTooLongException e) {
            magic = "";
        }
        if (!AdminProtocol.MAGIC.equals(magic)) {
            AdminProtocol.writeExit(out, Status.BAD_REQUEST,
                    "not an admin request: expected '" + AdminProtocol.MAGIC + "'; use ./hypha exec of the same Hypha version");
            return;
        }
        String presented;
        try {
            presented = AdminProtocol.readLine(in, MAX_HEADER_LINE);
        } catch (LineTooLongException e) {
            presented = "";
        }
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            long n = refusedTokens.incrementAndGet();
            LOG.warn("admin: refused a request with a wrong token ({} refused since start)", n);
            AdminProtocol.writeExit(out, Status.BAD_TOKEN,
                    "wrong admin token; a client must read admin.token from the data directory of the running node");
            return;
        }
        String command;
        try {
            command = AdminProtocol.readLine(in, settings.maxCommandLength()).strip();
        } catch (LineTooLongException e) {
            AdminProtocol.writeExit(out, Status.TOO_LONG,
                    "command longer than " + settings.maxCommandLength() + " bytes (admin maxCommandLength)");
            socket.shutdownOutput();
            drain(in);
            return;
        }
        if (command.isEmpty()) {
            AdminProtocol.writeExit(out, Status.BAD_REQUEST, "empty command");
            return;
        }
        if (AdminProtocol.SHUTDOWN.equals(command)) {
            LOG.info("admin: shutdown requested; stopping the node");
            AdminProtocol.writeExit(out, Status.OK, "node stopping");
            shutdown.run();
            return;
        }
        execute(command, out);
    }

    /**
     * Reads and discards what the client still sends, until it closes or the request deadline passes. Closing a
     * socket with unread input resets the connection, and the client could lose the answer it has not read yet; the
     * caller has shut down its output, so the client sees the end of the answer and closes.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] skip = new byte[8192];
        try {
            while (in.read(skip) >= 0) {
                // discard
            }
        } catch (SocketTimeoutException e) {
            // the deadline bounds how long a client can keep sending
        }
    }

    private void execute(String command, DataOutputStream out) throws IOException {
        BoundedOutput captured = new BoundedOutput(settings.maxOutputBytes());
        Future<String> result;
        try {
            result = commands.submit(() -> runner.run(command, captured));
        } catch (RejectedExecutionException e) {
            AdminProtocol.writeExit(out, Status.BUSY, "all " + settings.maxConnections()
                    + " command slots are busy (commands still running past their timeout?); try again");
            return;
        }
        Status status;
        String detail;
        try {
            String failure = result.get(settings.commandTimeoutMillis(), TimeUnit.MILLISECONDS);
            status = failure == null ? Status.OK : Status.FAILED;
            detail = failure == null ? "" : failure;
        } catch (TimeoutException e) {
            result.cancel(true);
            status = Status.TIMEOUT;
            detail = "command did not finish within " + settings.commandTimeoutMillis()
                    + " ms (admin commandTimeoutMillis); it was interrupted";
        } catch (ExecutionException e) {
            status = Status.FAILED;
            detail = "the command runner failed: " + e.getCause();
        } catch (InterruptedException e) {
            // the server is closing
            result.cancel(true);
            Thread.currentThread().interrupt();
            return;
        }
        // Only the command's first word: arguments may carry secrets (keys, tokens) that do not belong in the log.
        int space = command.indexOf(' ');
        LOG.info("admin: ran '{}': {}", space < 0 ? command : command.substring(0, space) + " ...", status);
        AdminProtocol.writeOutput(out, captured.bytes());
        long dropped = captured.dropped();
        if (dropped > 0) {
            detail = (detail.isEmpty() ? "" : detail + "; ") + dropped + " bytes of output dropped past "
                    + settings.maxOutputBytes() + " (admin maxOutputBytes)";
        }
        AdminProtocol.writeExit(out, status, detail);
    }

    private static ThreadPoolExecutor pool(int size, String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, prefix + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }) {
            {
                allowCoreThreadTimeOut(true);
            }
        };
    }

    /** Reads from a socket, failing with a timeout once a fixed deadline has passed. */
    private static final class DeadlineInputStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInputStream(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0) {
                throw new SocketTimeoutException("request deadline passed");
            }
            socket.setSoTimeout((int) Math.min(remaining, Integer.MAX_VALUE));
            return in.read(b, off, len);
        }
    }

    /** Keeps the first {@code max} bytes written, counts the rest. Written by the command, read by the connection. */
    static final class BoundedOutput extends OutputStream {
        private final int max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long dropped;

        BoundedOutput(int max) {
            this.max = max;
        }

        @Override
        public synchronized void write(int b) {
            if (kept.size() < max) {
                kept.write(b);
            } else {
                dropped++;
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int take = Math.max(0, Math.min(len, max - kept.size()));
            kept.write(b, off, take);
            dropped += len - take;
        }

        synchronized byte[] bytes() {
            return kept.toByteArray();
        }

        synchronized long dropped() {
            return dropped;
        }
    }
}
