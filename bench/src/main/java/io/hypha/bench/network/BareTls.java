package io.hypha.bench.network;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The bare TLS baseline: one Netty connection, TLS 1.3 with the JDK's engine and a client certificate, frames with a
 * varint length prefix (Netty's protobuf varint codec), and nothing else. Configured as bundles/transport-tls is where
 * it matters for speed: NIO, one event loop thread per side, TCP_NODELAY, write buffer water marks 256 KiB / 1 MiB.
 * Certificates are trusted without checks (the transport's node-identity check costs only at the handshake).
 *
 * <p>The sender writes W1 frames on its event loop while the channel is writable and flushes every
 * {@value #FLUSH_BYTES} bytes (or when it turns unwritable), the usual way to stream with Netty; it goes on when the
 * channel is writable again.
 */
final class BareTls {
    /** Flush after this many payload bytes. */
    static final int FLUSH_BYTES = 64 * 1024;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private static final String TLS_1_3 = "TLSv1.3";

    private BareTls() {
    }

    private static KeyManagerFactory keyManagers(KeyStore keys, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        return kmf;
    }

    /** Listens on a free loopback port, prints READY, serves one connection through every phase. */
    static void server(List<Phase> phases, KeyStore keys, char[] password, BareMain.Out out, BareMain.Progress progress)
            throws Exception {
        SslContext ssl = SslContextBuilder.forServer(keyManagers(keys, password))
                .trustManager(InsecureTrustManagerFactory.INSTANCE).clientAuth(ClientAuth.REQUIRE)
                .protocols(TLS_1_3).sslProvider(SslProvider.JDK).build();
        EventLoopGroup group = new NioEventLoopGroup(1);
        CompletableFuture<Void> finished = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ProtobufVarint32FrameDecoder(),
                                    new ProtobufVarint32LengthFieldPrepender(), new Receiver(phases, out, progress, finished));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            out.line("READY " + ((InetSocketAddress) server.localAddress()).getPort());
            finished.get();
        } finally {
            group.shutdownGracefully(0, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Connects, then runs every phase; returns when the last is done. */
    static void client(List<Phase> phases, int port, KeyStore keys, char[] password, BareMain.Out out,
                       BareMain.Progress progress, Path dir) throws Exception {
        SslContext ssl;
        try {
            ssl = SslContextBuilder.forClient().keyManager(keyManagers(keys, password))
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null)
                    .protocols(TLS_1_3).sslProvider(SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client context", e);
        }
        EventLoopGroup group = new NioEventLoopGroup(1);
        CompletableFuture<Void> finished = new CompletableFuture<>();
        try {
            new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new ProtobufVarint32FrameDecoder(),
                                    new ProtobufVarint32LengthFieldPrepender(), new Sender(phases, out, progress, dir, finished));
                        }
                    })
                    .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync();
            finished.get();
        } finally {
            group.shutdownGracefully(0, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Server side: counts and times W1, answers each W1 phase with one ack frame, echoes W2. Event loop only. */
    private static final class Receiver extends ChannelInboundHandlerAdapter {
        private final List<Phase> phases;
        private final BareMain.Out out;
        private final BareMain.Progress progress;
        private final CompletableFuture<Void> finished;
        private int index;
        private long received;
        private long firstNanos;

        Receiver(List<Phase> phases, BareMain.Out out, BareMain.Progress progress, CompletableFuture<Void> finished) {
            this.phases = phases;
            this.out = out;
            this.progress = progress;
            this.finished = finished;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (index >= phases.size()) {
                frame.release();
                return;
            }
            Phase phase = phases.get(index);
            received++;
            progress.tick();
            if (phase.kind() == Phase.Kind.W1) {
                frame.release();
                if (received == phase.warmup() + 1) {
                    firstNanos = System.nanoTime();
                }
                if (received == phase.total()) {
                    long lastNanos = System.nanoTime();
                    out.line("RESULT " + index + " W1 received=" + phase.count() + " firstNanos=" + firstNanos
                            + " lastNanos=" + lastNanos);
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                    next();
                }
            } else {
                ctx.writeAndFlush(frame); // the prepender releases it
                if (received == phase.total()) {
                    next();
                }
            }
        }

        private void next() {
            index++;
            received = 0;
            out.phase(index);
            out.cpu(index);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(f -> out.cpu(0));
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Done when the client closes after the last phase, so that the last echo or ack has surely left.
            if (index >= phases.size()) {
                finished.complete(null);
            } else {
                finished.completeExceptionally(new IllegalStateException("the connection closed in phase " + index));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finished.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Client side: streams W1 and waits for its ack, pings W2 one at a time and times it. Event loop only. */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private final List<Phase> phases;
        private final BareMain.Out out;
        private final BareMain.Progress progress;
        private final Path dir;
        private final CompletableFuture<Void> finished;
        private ChannelHandlerContext ctx;
        private int index = -1;
        private byte[] payload;
        private long sent;
        private long done;
        private long sentAt;
        private long[] latencies;
        private final Runnable pump = this::pump;

        Sender(List<Phase> phases, BareMain.Out out, BareMain.Progress progress, Path dir, CompletableFuture<Void> finished) {
            this.phases = phases;
            this.out = out;
            this.progress = progress;
            this.dir = dir;
            this.finished = finished;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    next();
                } else {
                    finished.completeExceptionally(f.cause());
                }
            });
            ctx.fireChannelActive();
        }

        private void next() {
            index++;
            out.phase(index);
            out.cpu(index);
            if (index >= phases.size()) {
                finished.complete(null);
                ctx.close();
                return;
            }
            Phase phase = phases.get(index);
            payload = new byte[phase.size()];
            sent = 0;
            done = 0;
            if (phase.kind() == Phase.Kind.W1) {
                pump();
            } else {
                latencies = new long[(int) phase.count()];
                ping();
            }
        }

        /** Writes W1 frames while the channel takes them, flushing every FLUSH_BYTES. */
        private void pump() {
            Phase phase = phases.get(index);
            int unflushed = 0;
            while (sent < phase.total() && ctx.channel().isWritable()) {
                ctx.write(Unpooled.wrappedBuffer(payload), ctx.voidPromise());
                sent++;
                progress.tick();
                unflushed += payload.length;
                if (unflushed >= FLUSH_BYTES) {
                    ctx.flush();
                    unflushed = 0;
                    if (ctx.channel().isWritable()) {
                        ctx.executor().execute(pump); // let the event loop read and write in between
                        return;
                    }
                }
            }
            ctx.flush();
            // unwritable: channelWritabilityChanged goes on
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (index < phases.size() && phases.get(index).kind() == Phase.Kind.W1 && sent < phases.get(index).total()
                    && ctx.channel().isWritable()) {
                pump();
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void ping() {
            sentAt = System.nanoTime();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(payload), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            ((ByteBuf) msg).release();
            progress.tick();
            if (index >= phases.size()) {
                return;
            }
            Phase phase = phases.get(index);
            if (phase.kind() == Phase.Kind.W1) {
                next(); // the receiver's ack: it has every frame
                return;
            }
            if (done >= phase.warmup()) {
                latencies[(int) (done - phase.warmup())] = now - sentAt;
            }
            done++;
            if (done < phase.total()) {
                ping();
            } else {
                try {
                    Path file = BareMain.writeLatencies(dir, index, latencies);
                    out.line("RESULT " + index + " W2 done=" + phase.count() + " file=" + file);
                } catch (java.io.IOException e) {
                    finished.completeExceptionally(e);
                    return;
                }
                next();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (index < phases.size()) {
                finished.completeExceptionally(new IllegalStateException("the connection closed in phase " + index));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finished.completeExceptionally(cause);
            ctx.close();
        }
    }
}
