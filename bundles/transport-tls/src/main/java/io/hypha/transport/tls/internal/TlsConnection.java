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
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated TLS connection, as the Transport engine sees it. {@link #send} may be called from any thread;
 * every {@link ConnectionHandler} callback runs on the channel's event loop, so callbacks for one connection never
 * overlap and keep their order.
 *
 * <h2>Sending</h2>
 * {@link #send} copies the frame behind its length prefix into one pooled buffer and writes it without flushing;
 * the {@link FlushBatcher} in the pipeline flushes once per batch. A thread that sends a thousand frames in a row costs
 * a thousand writes but only as many flushes (and TLS records: Netty's SslHandler packs the queued writes into
 * records of up to 16 KiB) as the event loop has turns, instead of one per frame.
 *
 * <p>Netty queues a write from another thread lazily: it does not wake an event loop blocked in {@code select}. So
 * the sending thread also queues one wake-up task per batch: the first write after the last wake-up started queues
 * one. Once awake, the loop runs every queued task (the writes behind the wake-up included) before it blocks again.
 *
 * <h2>Backpressure</h2>
 * Netty counts every byte written and not yet on the socket, including writes still queued for the event loop.
 * Above the high water mark the channel turns unwritable and {@link #send} refuses frames; when it drops below the
 * low water mark, {@code onWritable} follows a refusal. Frames sent by several threads at once may overshoot the
 * mark by one frame each.
 */
final class TlsConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(TlsConnection.class);

    private final Channel channel;
    private final NodeId peer;
    private final URI remoteAddress;
    private final boolean outbound;
    private final ConnectionHandler handler;
    private final int maxFrameSize;
    private final String node;
    private final AtomicBoolean writableWanted = new AtomicBoolean();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Runnable wake = () -> wakeQueued.set(false);
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
        ByteBuf buffer = channel.alloc().heapBuffer(size);
        ByteBuffer view = buffer.nioBuffer(0, size);
        LengthPrefix.put(length, view);
        view.put(frame);
        buffer.writerIndex(size);
        // A failed write (the channel closed meanwhile) releases the buffer and reaches exceptionCaught, which
        // ignores it: the channel is closing anyway.
        channel.write(buffer, channel.voidPromise());
        if (!channel.eventLoop().inEventLoop() && wakeQueued.compareAndSet(false, true)) {
            channel.eventLoop().execute(wake);
        }
        return true;
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
