package io.hypha.transport.tls.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Flushes once per batch of writes instead of once per frame. {@link TlsConnection#send} only writes; this handler
 * (between the connection and the {@code SslHandler}) sees each write on the event loop, in order, and the first write
 * of a batch queues one flush task behind everything queued so far. Writes that other threads queued meanwhile run
 * before that flush and go out with it (packed into TLS records of up to 16 KiB by the {@code SslHandler}); a write
 * that runs after it starts the next batch. Event loop only, so it needs no synchronisation.
 *
 * <p>Why not a flag set by the sending thread: a write task queued behind an already queued flush task, by a thread
 * that saw the flag still set, would stay unflushed.
 */
final class FlushBatcher extends ChannelOutboundHandlerAdapter {
    private boolean flushQueued;
    private ChannelHandlerContext context;
    private final Runnable flush = () -> {
        flushQueued = false;
        context.flush();
    };

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        if (!flushQueued) {
            flushQueued = true;
            ctx.executor().execute(flush);
        }
    }
}
