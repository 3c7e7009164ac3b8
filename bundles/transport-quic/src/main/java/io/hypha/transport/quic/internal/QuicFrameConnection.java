package io.hypha.transport.quic.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.wire.FrameException;
import io.hypha.wire.LengthPrefix;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;

/**
 * One authenticated QUIC connection to a peer, carrying frames on one bidirectional stream.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>A <b>reader</b> thread reads the stream (kwik's blocking input), splits it into frames and calls
 *       {@link ConnectionHandler#onFrame}; it also calls {@link ConnectionHandler#onClosed}, last, when the stream
 *       ends. Frames are delivered in the order they were sent.</li>
 *   <li>A <b>writer</b> thread drains the bounded outbound queue filled by {@link #send} into kwik's output stream,
 *       a batch at a time, and calls {@link ConnectionHandler#onWritable} once the queue has room again.</li>
 *   <li>The transport's {@link Watchdog} kicks the stream (STALL.md) and closes the connection when a write makes no
 *       progress for the stall timeout.</li>
 * </ul>
 * Callbacks for this connection never overlap: each runs under a lock of its own that nothing else takes, and none
 * comes after {@code onClosed}.
 */
final class QuicFrameConnection implements Connection, Watchdog.Watched {
    private static final Logger LOG = LoggerFactory.getLogger(QuicFrameConnection.class);
    /** The largest single write to kwik: small enough that each one shows progress, large enough to batch. */
    static final int WRITE_BATCH = 16 * 1024;

    private final QuicConnection quic;
    private final StreamOutput output;
    private final StreamFrameReader reader;
    private final NodeId peer;
    private final URI remote;
    private final boolean outbound;
    private final ConnectionHandler handler;
    private final int maxFrameSize;
    private final QuicTransport.Settings settings;
    private final Consumer<QuicFrameConnection> onEnd;
    private final String name;

    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queueNotEmpty = queueLock.newCondition();
    /** Frames with their length prefix, oldest first. Guarded by queueLock. */
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    /** Bytes in the queue plus the batch being written. Guarded by queueLock. */
    private long queuedBytes;
    /** send refused a frame: onWritable is owed. Guarded by queueLock. */
    private boolean writableOwed;

    private volatile boolean open = true;
    /** Why the connection closed; set once, by whoever closed it first. */
    private final AtomicReference<TransportException> closeCause = new AtomicReference<>();
    private volatile boolean closeRecorded;
    private final ReentrantLock callbackLock = new ReentrantLock();
    /** onClosed was called. Guarded by callbackLock. */
    private boolean closedNotified;

    private final CountDownLatch terminatedSeen = new CountDownLatch(1);
    private volatile ConnectionTerminatedEvent terminated;
    private Thread writerThread;

    /**
     * @param quic     the kwik connection
     * @param output   the stream's output, already used by the handshake
     * @param reader   the stream's frame reader, positioned after the handshake
     * @param peer     the authenticated peer
     * @param remote   the peer's address
     * @param outbound whether this side dialled
     * @param handler  who receives callbacks
     * @param maxFrameSize the largest frame sent or accepted
     * @param settings the transport's settings
     * @param onEnd    called once when the connection closes (the transport forgets it)
     */
    QuicFrameConnection(QuicConnection quic, StreamOutput output, StreamFrameReader reader, NodeId peer, URI remote,
                        boolean outbound, ConnectionHandler handler, int maxFrameSize, QuicTransport.Settings settings,
                        Consumer<QuicFrameConnection> onEnd) {
        this.quic = quic;
        this.output = output;
        this.reader = reader;
        this.peer = peer;
        this.remote = remote;
        this.outbound = outbound;
        this.handler = handler;
        this.maxFrameSize = maxFrameSize;
        this.settings = settings;
        this.onEnd = onEnd;
        this.name = (outbound ? "to " : "from ") + peer.shortForm() + " at " + remote.getAuthority();
        quic.setConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                terminated = event;
                terminatedSeen.countDown();
            }
        });
    }

    /**
     * Starts the writer and runs the reader on the calling thread until the connection closes.
     *
     * @param announce whether to call {@link ConnectionHandler#onConnected} first (inbound connections)
     * @param started  run once the writer is running and before the first frame is read (completes a dial)
     */
    void run(boolean announce, Runnable started) {
        if (announce) {
            callback(() -> handler.onConnected(this));
        }
        writerThread = new Thread(this::runWriter, "hypha-quic-writer " + name);
        writerThread.setDaemon(true);
        writerThread.start();
        started.run();
        runReader();
    }

    @Override
    public NodeId peer() {
        return peer;
    }

    @Override
    public URI remoteAddress() {
        return remote;
    }

    @Override
    public boolean outbound() {
        return outbound;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > maxFrameSize) {
            throw new IllegalArgumentException("a frame of " + length + " bytes is larger than the maximum of "
                    + maxFrameSize);
        }
        if (!open) {
            return false;
        }
        byte[] bytes = new byte[LengthPrefix.size(length) + length];
        ByteBuffer out = ByteBuffer.wrap(bytes);
        LengthPrefix.put(length, out);
        out.put(frame.duplicate());
        queueLock.lock();
        try {
            if (!open) {
                return false;
            }
            // An empty queue takes any frame, so a bound below the frame size cannot block a connection for good.
            if (queuedBytes > 0 && queuedBytes + bytes.length > settings.outboundBufferBytes()) {
                writableOwed = true;
                return false;
            }
            queue.addLast(bytes);
            queuedBytes += bytes.length;
            queueNotEmpty.signal();
            return true;
        } finally {
            queueLock.unlock();
        }
    }

    @Override
    public void close() {
        closeWith(null);
    }

    /** @return whether this side dialled */
    boolean isOutbound() {
        return outbound;
    }

    /** @return why the connection closed, or {@code null} while open or after an orderly close */
    TransportException closeCause() {
        return closeCause.get();
    }

    /**
     * Closes the connection (once): records why, tells the peer, and wakes both threads; the reader then reports
     * {@code onClosed} with the recorded cause.
     *
     * @param cause why, or {@code null} for an orderly close by this side
     */
    void closeWith(TransportException cause) {
        synchronized (closeCause) {
            if (closeRecorded) {
                return;
            }
            closeRecorded = true;
            closeCause.set(cause);
            open = false;
        }
        if (cause != null) {
            LOG.debug("QUIC connection {} closes: {}", name, cause.getMessage());
        }
        CloseCode code = cause == null ? CloseCode.NO_ERROR : CloseCode.of(cause.error());
        try {
            if (code == CloseCode.NO_ERROR) {
                quic.close();
            } else {
                quic.close(code.code, code.name());
            }
        } catch (RuntimeException e) {
            LOG.debug("QUIC connection {}: kwik failed to close it", name, e);
        }
        queueLock.lock();
        try {
            queue.clear();
            queuedBytes = 0;
            queueNotEmpty.signalAll();
        } finally {
            queueLock.unlock();
        }
        onEnd.accept(this);
    }

    /** Closes the connection because this node's transport stops; the peer learns it is a shutdown. */
    void shutdown() {
        closeWith(new TransportException(TransportError.CLOSED, "the QUIC transport stopped", null));
    }

    @Override
    public void tick(long now) {
        if (!open) {
            return;
        }
        output.kick(now, settings.kickWindowNanos());
        long blocked = output.blockedFor(now);
        if (blocked > settings.stallTimeoutNanos()) {
            LOG.warn("QUIC connection {} stalled: a write made no progress for {} ms; closing it so the session "
                    + "resends on a new connection", name, TimeUnit.NANOSECONDS.toMillis(blocked));
            closeWith(new TransportException(TransportError.TIMEOUT, "stalled: no progress sending for "
                    + TimeUnit.NANOSECONDS.toMillis(blocked) + " ms", null));
        }
    }

    // ---------------------------------------------------------------- reader

    private void runReader() {
        TransportException cause = null;
        try {
            while (open) {
                ByteBuffer frame = reader.next();
                if (frame == null) {
                    cause = new TransportException(TransportError.CLOSED, "the peer ended the stream", null);
                    break;
                }
                callback(() -> {
                    if (open) {
                        handler.onFrame(this, frame);
                    }
                });
            }
        } catch (FrameException e) {
            cause = new TransportException(e.error().transportError(), e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            cause = open ? causeOfAbort(e) : null;
        }
        if (open) {
            closeWith(cause);
        }
        notifyClosed();
    }

    /** Why kwik aborted the stream, from the connection's termination event (which kwik emits asynchronously). */
    private TransportException causeOfAbort(Exception e) {
        try {
            terminatedSeen.await(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        ConnectionTerminatedEvent event = terminated;
        if (event == null) {
            return new TransportException(TransportError.IO, "the QUIC stream failed: " + e, e);
        }
        switch (event.closeReason()) {
            case IdleTimeout:
                return new TransportException(TransportError.TIMEOUT, "idle timeout", null);
            case ConnectionLost:
            case StatelessReset:
                return new TransportException(TransportError.UNREACHABLE, "the peer is gone (" + event.closeReason() + ")", null);
            default:
                if (event.closedByPeer()) {
                    CloseCode code = CloseCode.ofCode(event.applicationErrorCode());
                    String why = code != null ? code.name() : String.valueOf(event.errorDescription());
                    return new TransportException(TransportError.CLOSED, "closed by the peer (" + why + ")", null);
                }
                return new TransportException(TransportError.IO, "kwik closed the connection: " + event.errorDescription(), null);
        }
    }

    private void notifyClosed() {
        callbackLock.lock();
        try {
            if (closedNotified) {
                return;
            }
            closedNotified = true;
            try {
                handler.onClosed(this, closeCause.get());
            } catch (RuntimeException e) {
                LOG.warn("QUIC connection {}: onClosed failed", name, e);
            }
        } finally {
            callbackLock.unlock();
        }
    }

    /** Runs a callback unless onClosed was called, never at the same time as another callback for this connection. */
    private void callback(Runnable call) {
        callbackLock.lock();
        try {
            if (!closedNotified) {
                call.run();
            }
        } catch (RuntimeException e) {
            LOG.warn("QUIC connection {}: a callback failed", name, e);
        } finally {
            callbackLock.unlock();
        }
    }

    // ---------------------------------------------------------------- writer

    private void runWriter() {
        byte[] batch = new byte[WRITE_BATCH];
        try {
            while (true) {
                byte[] large = null;
                int length = 0;
                queueLock.lock();
                try {
                    while (open && queue.isEmpty()) {
                        queueNotEmpty.await();
                    }
                    if (!open) {
                        return;
                    }
                    if (queue.peekFirst().length > WRITE_BATCH) {
                        large = queue.pollFirst();
                    } else {
                        while (!queue.isEmpty() && length + queue.peekFirst().length <= WRITE_BATCH) {
                            byte[] next = queue.pollFirst();
                            System.arraycopy(next, 0, batch, length, next.length);
                            length += next.length;
                        }
                    }
                } finally {
                    queueLock.unlock();
                }
                int written;
                if (large != null) {
                    for (int offset = 0; offset < large.length; offset += WRITE_BATCH) {
                        output.write(large, offset, Math.min(WRITE_BATCH, large.length - offset));
                    }
                    written = large.length;
                } else {
                    output.write(batch, 0, length);
                    written = length;
                }
                boolean writable = false;
                queueLock.lock();
                try {
                    queuedBytes = Math.max(0, queuedBytes - written);
                    if (writableOwed && open && queuedBytes <= settings.outboundBufferBytes() / 2) {
                        writableOwed = false;
                        writable = true;
                    }
                } finally {
                    queueLock.unlock();
                }
                if (writable) {
                    callback(() -> {
                        if (open) {
                            handler.onWritable(this);
                        }
                    });
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (open) {
                closeWith(new TransportException(TransportError.IO, "writing to the QUIC stream failed: " + e, e));
            }
        }
    }

    @Override
    public String toString() {
        return "QUIC connection " + name;
    }
}
