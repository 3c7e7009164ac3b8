package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ConnectionHandler;
import io.hypha.api.transport.TransportException;
import io.hypha.wire.LengthPrefix;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated TLS connection, as the Transport engine sees it. {@link #send} may be called from any thread;
 * every {@link ConnectionHandler} callback runs on the channel's event loop, so callbacks for one connection never
 * overlap and keep their order.
 *
 * <h2>Sending</h2>
 * A frame sent from another thread than the event loop (the Transport engine's, usually) is copied behind its length
 * prefix into a pooled buffer of {@value #GATHER_BYTES} bytes that gathers frames until the event loop drains it: one
 * task per batch writes the gathered buffers and flushes. Netty would otherwise queue one write task per frame for
 * the loop (with its allocation, queue hand-off and pipeline pass), which cost more than the encryption of a small
 * frame. A frame sent on the event loop is written at once (after what was gathered), and the {@link FlushBatcher}
 * flushes once per loop turn.
 *
 * <h2>Backpressure</h2>
 * Netty counts every byte written and not yet on the socket. Above the high water mark the channel turns unwritable
 * and {@link #send} refuses frames; so does a gather buffer holding a high water mark's worth. When the channel
 * drops below the low water mark, or the drain has handed the gathered bytes over, {@code onWritable} follows a
 * refusal.
 */
final class TlsConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(TlsConnection.class);
    /** Size of the buffers frames from other threads are gathered in. */
    static final int GATHER_BYTES = 64 * 1024;
    private static final ByteBuf[] NO_BUFFERS = new ByteBuf[0];

    private final Channel channel;
    private final NodeId peer;
    private final URI remoteAddress;
    private final boolean outbound;
    private final ConnectionHandler handler;
    private final int maxFrameSize;
    private final String node;
    private final AtomicBoolean writableWanted = new AtomicBoolean();
    /** Frames sent by other threads, gathered for one write by the event loop (see the class comment). */
    private final Object gatherLock = new Object();
    private final ArrayDeque<ByteBuf> gathered = new ArrayDeque<>(); // guarded by gatherLock
    private ByteBuf gathering; // guarded by gatherLock
    private int gatheredBytes; // guarded by gatherLock
    private boolean drainQueued; // guarded by gatherLock
    private final Runnable drain = this::drain;
    /** Set by {@link #close()} or when the channel closed; read by any thread. */
    private volatile boolean closing;
    /** Whether onClosed was called. Event loop only. */
    private boolean closedReported;

    /**
     * @param channel       the channel, with its TLS handshake done
     * @param peer          the authenticated peer
     * @param remoteAddress the peer's address
     * @param outbound      whether this side dialled
     * @param handler       who receives the callbacks
     * @param maxFrameSize  the largest frame sent
     * @param node          names this node in log messages
     */
    TlsConnection(Channel channel, NodeId peer, URI remoteAddress, boolean outbound, ConnectionHandler handler,
                  int maxFrameSize, String node) {
        this.channel = channel;
        this.peer = peer;
        this.remoteAddress = remoteAddress;
        this.outbound = outbound;
        this.handler = handler;
        this.maxFrameSize = maxFrameSize;
        this.node = node;
    }

    @Override
    public NodeId peer() {
        return peer;
    }

    @Override
    public URI remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean outbound() {
        return outbound;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        int length = frame.remaining();
        if (length > maxFrameSize) {
            throw new IllegalArgumentException("a frame of " + length + " bytes is larger than the maximum of "
                    + maxFrameSize);
        }
        if (closing || !channel.isActive()) {
            return false;
        }
        if (!channel.isWritable()) {
            refused();
            return false;
        }
        int size = LengthPrefix.size(length) + length;
        if (channel.eventLoop().inEventLoop()) {
            drain(); // what other threads gathered goes first
            ByteBuf buffer = channel.alloc().heapBuffer(size);
            put(buffer, length, frame);
            // A failed write (the channel closed meanwhile) releases the buffer and reaches exceptionCaught, which
            // ignores it: the channel is closing anyway.
            channel.write(buffer, channel.voidPromise());
            return true;
        }
        boolean schedule;
        synchronized (gatherLock) {
            if (gatheredBytes >= channel.config().getWriteBufferHighWaterMark()) {
                // The drain already queued calls writabilityChanged when it has handed these over.
                writableWanted.set(true);
                return false;
            }
            ByteBuf b = gathering;
            if (b == null || b.writableBytes() < size) {
                if (b != null) {
                    gathered.addLast(b);
                }
                b = channel.alloc().heapBuffer(Math.max(size, GATHER_BYTES));
                gathering = b;
            }
            put(b, length, frame);
            gatheredBytes += size;
            schedule = !drainQueued;
            drainQueued = true;
        }
        if (schedule) {
            channel.eventLoop().execute(drain);
        }
        return true;
    }

    private static void put(ByteBuf buffer, int length, ByteBuffer frame) {
        int at = buffer.writerIndex();
        int size = LengthPrefix.size(length) + length;
        ByteBuffer view = buffer.nioBuffer(at, size);
        LengthPrefix.put(length, view);
        view.put(frame);
        buffer.writerIndex(at + size);
    }

    /** Event loop: writes what other threads gathered, as few large writes, and flushes. */
    private void drain() {
        ByteBuf last;
        ByteBuf[] full;
        synchronized (gatherLock) {
            drainQueued = false;
            last = gathering;
            gathering = null;
            full = gathered.isEmpty() ? NO_BUFFERS : gathered.toArray(NO_BUFFERS);
            gathered.clear();
            gatheredBytes = 0;
        }
        if (last == null) {
            return;
        }
        boolean active = channel.isActive();
        for (ByteBuf b : full) {
            if (active) {
                channel.write(b, channel.voidPromise());
            } else {
                b.release();
            }
        }
        if (active) {
            channel.writeAndFlush(last, channel.voidPromise());
            writabilityChanged();
        } else {
            last.release();
        }
    }

    /** A send was refused as unwritable: make sure onWritable follows, even if writability came back meanwhile. */
    private void refused() {
        writableWanted.set(true);
        if (channel.isWritable()) {
            channel.eventLoop().execute(this::writabilityChanged);
        }
    }

    @Override
    public boolean isOpen() {
        return !closing && channel.isActive();
    }

    @Override
    public void close() {
        closing = true;
        channel.close();
    }

    /** Event loop: the handshake is done and the peer verified; announces an inbound connection. */
    void connected() {
        try {
            handler.onConnected(this);
        } catch (RuntimeException e) {
            LOG.warn("Node {}: the connection handler failed in onConnected for {}", node, peer, e);
        }
    }

    /**
     * Event loop: a frame arrived.
     *
     * @param frame the frame, valid during the call
     */
    void frame(ByteBuffer frame) {
        if (closing) {
            // Closed by this side (or closing): what still arrives is dropped, as a socket would drop it.
            return;
        }
        try {
            handler.onFrame(this, frame);
        } catch (RuntimeException e) {
            LOG.warn("Node {}: the connection handler failed in onFrame for a frame from {}", node, peer, e);
        }
    }

    /** Event loop: the channel's writability changed (or may have). */
    void writabilityChanged() {
        if (!closedReported && channel.isWritable() && writableWanted.compareAndSet(true, false)) {
            try {
                handler.onWritable(this);
            } catch (RuntimeException e) {
                LOG.warn("Node {}: the connection handler failed in onWritable for {}", node, peer, e);
            }
        }
    }

    /** Event loop: the connection was never handed over (its dial was cancelled); it closes without callbacks. */
    void abandon() {
        closing = true;
        closedReported = true;
    }

    /**
     * Event loop: the channel closed; reports it once.
     *
     * @param cause why, or {@code null} for an orderly close
     */
    void closed(TransportException cause) {
        closing = true;
        if (closedReported) {
            return;
        }
        closedReported = true;
        try {
            handler.onClosed(this, cause);
        } catch (RuntimeException e) {
            LOG.warn("Node {}: the connection handler failed in onClosed for {}", node, peer, e);
        }
    }

    @Override
    public String toString() {
        return "tls connection " + (outbound ? "to " : "from ") + peer + " at " + remoteAddress;
    }
}
