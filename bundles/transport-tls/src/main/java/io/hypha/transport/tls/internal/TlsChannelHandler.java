package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.TransportContext;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.wire.FrameDecoder;
import io.hypha.wire.FrameError;
import io.hypha.wire.FrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The last handler of a connection's pipeline ({@code SslHandler -> this}): turns the TLS handshake into an
 * authenticated {@link TlsConnection}, splits decrypted bytes into frames with the wire bundle's
 * {@link FrameDecoder}, and reports the close with its cause. One instance per channel; event loop only.
 *
 * <pre>
 *  handshake ok ──▶ verify peer ──▶ TlsConnection ──▶ inbound: onConnected / outbound: complete the dial
 *  channelRead ───▶ FrameDecoder ──▶ onFrame (a view of the decrypted buffer, no copy when a frame is whole)
 *  any failure ───▶ first cause kept, counted by {@link CloseReason} ──▶ close ──▶ onClosed(cause) / dial fails
 * </pre>
 */
final class TlsChannelHandler extends ChannelInboundHandlerAdapter {
    private final TlsTransport transport;
    private final TransportContext context;
    private final NodeId expected;
    private final CompletableFuture<Connection> dial;
    private final URI dialled;
    private final FrameDecoder decoder;
    private volatile ChannelHandlerContext handlerContext;
    private TlsConnection connection;
    private TransportException failure;

    /**
     * @param transport the transport, for its counters and logs
     * @param context   the listen or dial context
     * @param expected  the node that must answer (a dial), or {@code null}
     * @param dial      the dial to complete, or {@code null} for an inbound connection
     * @param dialled   the dialled address (without node id), or {@code null} for an inbound connection
     */
    TlsChannelHandler(TlsTransport transport, TransportContext context, NodeId expected,
                      CompletableFuture<Connection> dial, URI dialled) {
        this.transport = transport;
        this.context = context;
        this.expected = expected;
        this.dial = dial;
        this.dialled = dialled;
        this.decoder = new FrameDecoder(context.maxFrameSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        handlerContext = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // A dial to a free loopback port in the ephemeral range can connect to itself (TCP simultaneous open: the
        // kernel picks the destination port as the source port). That is nobody listening, not a TLS peer.
        if (dial != null && ctx.channel().localAddress() != null
                && ctx.channel().localAddress().equals(ctx.channel().remoteAddress())) {
            fail(ctx, new TransportException(TransportError.UNREACHABLE, "nothing listens on " + dialled
                    + " (the socket connected to itself)", null), CloseReason.IO_ERROR);
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                established(ctx);
            } else {
                fail(ctx, handshake.cause());
            }
        } else if (event instanceof SslCloseCompletionEvent) {
            // The peer sent close_notify: an orderly close.
            ctx.close();
        }
        ReferenceCountUtil.release(event);
    }

    private void established(ChannelHandlerContext ctx) {
        if (failure != null) {
            return;
        }
        NodeId peer;
        try {
            // The trust manager verified the chain during the handshake, but JSSE does not say what it proved; the
            // session's own certificates are verified once more (about 0.2 ms per connection) to learn the node.
            Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
            peer = context.credentials().verifyPeer(Arrays.copyOf(chain, chain.length, X509Certificate[].class), expected);
        } catch (SSLPeerUnverifiedException | ArrayStoreException e) {
            fail(ctx, new TransportException(TransportError.AUTHENTICATION_FAILED, "the peer presented no X.509 "
                    + "certificate", e), CloseReason.AUTHENTICATION_FAILED);
            return;
        } catch (TransportException e) {
            fail(ctx, e, CloseReason.AUTHENTICATION_FAILED);
            return;
        }
        URI remote = dial != null ? dialled : TlsAddress.uriOf((InetSocketAddress) ctx.channel().remoteAddress());
        connection = new TlsConnection(ctx.channel(), peer, remote, dial != null, context.handler(),
                context.maxFrameSize(), transport.name());
        if (dial != null) {
            transport.counterSet().outboundEstablished();
            // Completes on the event loop: continuations attached without Async run here, before any frame of the
            // connection is delivered.
            if (!dial.complete(connection)) {
                // The dialler gave up (cancelled) meanwhile: nobody owns the connection, nobody hears of it.
                connection.abandon();
                ctx.close();
            }
        } else {
            transport.counterSet().inboundEstablished();
            connection.connected();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buffer = (ByteBuf) msg;
        try {
            if (connection == null || failure != null) {
                return;
            }
            if (buffer.nioBufferCount() == 1) {
                decode(ctx, buffer.nioBuffer());
            } else {
                for (ByteBuffer part : buffer.nioBuffers()) {
                    if (!decode(ctx, part)) {
                        return;
                    }
                }
            }
        } finally {
            buffer.release();
        }
    }

    /** @return false if the connection failed */
    private boolean decode(ChannelHandlerContext ctx, ByteBuffer input) {
        try {
            ByteBuffer frame;
            while ((frame = decoder.next(input)) != null) {
                connection.frame(frame);
                if (failure != null) {
                    return false;
                }
            }
            return true;
        } catch (FrameException e) {
            fail(ctx, new TransportException(e.error().transportError(), e.getMessage(), e),
                    e.error() == FrameError.OVERSIZE ? CloseReason.FRAME_TOO_LARGE : CloseReason.MALFORMED_FRAME);
            return false;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            if (failure == null) {
                try {
                    decoder.endOfInput();
                } catch (FrameException e) {
                    record(new TransportException(e.error().transportError(), e.getMessage(), e), CloseReason.MALFORMED_FRAME,
                            ctx);
                }
            }
            connection.closed(failure);
        } else {
            if (failure == null) {
                record(new TransportException(TransportError.CLOSED, "the connection closed during the TLS handshake",
                        null), CloseReason.HANDSHAKE_ABORTED, ctx);
            }
            if (dial != null) {
                dial.completeExceptionally(failure);
            }
        }
    }

    /** Any thread: closes the connection because the transport is stopping; onClosed reports {@code CLOSED}. */
    void stop() {
        ChannelHandlerContext ctx = handlerContext;
        if (ctx == null) {
            return;
        }
        ctx.executor().execute(() -> {
            if (failure == null) {
                failure = new TransportException(TransportError.CLOSED, "the tls transport is stopping", null);
            }
            ctx.close();
        });
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (failure != null || cause instanceof ClosedChannelException) {
            // Already failing, or a write that raced the close: nothing new.
            ctx.close();
            return;
        }
        CloseReason reason = classify(cause);
        TransportException transportException = find(cause, TransportException.class);
        // A dial whose socket is reset or fails to write before the TLS handshake got anywhere met no TLS peer: on
        // loopback that is what a just-closed listener looks like (NIO closes its socket on the next select).
        boolean unreachable = dial != null && connection == null
                && (reason == CloseReason.IO_ERROR || reason == CloseReason.TLS_ERROR)
                && find(cause, java.io.IOException.class) != null && find(cause, SSLHandshakeException.class) == null;
        TransportException reported = transportException != null
                ? transportException
                : new TransportException(unreachable ? TransportError.UNREACHABLE : reason.error(), describe(cause),
                        cause);
        fail(ctx, reported, reason);
    }

    private void fail(ChannelHandlerContext ctx, TransportException cause, CloseReason reason) {
        if (failure == null) {
            record(cause, reason, ctx);
        }
        ctx.close();
    }

    private void record(TransportException cause, CloseReason reason, ChannelHandlerContext ctx) {
        failure = cause;
        transport.closedFor(reason, connection == null, dial != null, ctx.channel().remoteAddress(), cause);
    }

    /** The first matching reason, searching the whole cause chain (Netty wraps TLS errors in DecoderException). */
    private static CloseReason classify(Throwable cause) {
        TransportException transportException = find(cause, TransportException.class);
        if (transportException != null) {
            return transportException.error() == TransportError.AUTHENTICATION_FAILED
                    ? CloseReason.AUTHENTICATION_FAILED : CloseReason.HANDSHAKE_FAILED;
        }
        if (find(cause, SslHandshakeTimeoutException.class) != null) {
            return CloseReason.HANDSHAKE_TIMEOUT;
        }
        if (find(cause, NotSslRecordException.class) != null) {
            return CloseReason.NOT_TLS;
        }
        if (find(cause, SSLHandshakeException.class) != null) {
            return CloseReason.HANDSHAKE_FAILED;
        }
        if (find(cause, SSLException.class) != null) {
            return CloseReason.TLS_ERROR;
        }
        return CloseReason.IO_ERROR;
    }

    private static String describe(Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static <T extends Throwable> T find(Throwable cause, Class<T> type) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
