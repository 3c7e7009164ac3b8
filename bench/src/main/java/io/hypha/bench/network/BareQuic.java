package io.hypha.bench.network;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * The bare QUIC baseline: one kwik connection, one bidirectional stream, varint-length-prefixed frames written and
 * read through kwik's blocking streams, one thread per side. Configured as bundles/transport-quic is: the same flow
 * control windows (1 MiB per stream, 2 MiB per connection), idle timeout (30 s), stream limits, no retry, no kwik log,
 * writes of up to {@value #WRITE_BUFFER} bytes (a buffered stream: the transport's writer batches frames into writes of
 * the same size), reads through a {@value #READ_BUFFER}-byte buffer. No client certificate and no node authentication.
 *
 * <p><b>The stall workaround.</b> kwik 0.10.9 can strand written bytes with no send request queued
 * (bundles/transport-quic/STALL.md). As the transport does, a kicker thread makes a zero-length write on every stream
 * every {@value #KICK_MILLIS} ms ({@code kick=false} turns it off, to see the stall); the transport kicks only while a
 * write blocks or within a second of one, which during a run is always.
 */
final class BareQuic {
    static final String ALPN = "hypha-bench";
    static final int WRITE_BUFFER = 16 * 1024;
    static final int READ_BUFFER = 64 * 1024;
    static final long KICK_MILLIS = 10;
    static final long STREAM_WINDOW = 1_048_576L;
    static final long CONNECTION_WINDOW = 2_097_152L;
    static final int IDLE_TIMEOUT_MILLIS = 30_000;

    private BareQuic() {
    }

    /** Listens on a free loopback UDP port, prints READY, serves one stream through every phase. */
    static void server(List<Phase> phases, KeyStore keys, char[] password, BareMain.Out out, BareMain.Progress progress,
                       boolean kick) throws Exception {
        Kicker kicker = new Kicker(kick);
        CompletableFuture<Void> finished = new CompletableFuture<>();
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServerConnector connector = ServerConnector.builder()
                .withSocket(socket)
                .withKeyStore(keys, BareMain.ALIAS, password, "secp256r1")
                .withConfiguration(ServerConnectionConfig.builder()
                        .maxIdleTimeout(IDLE_TIMEOUT_MILLIS)
                        .maxOpenPeerInitiatedBidirectionalStreams(1)
                        .maxOpenPeerInitiatedUnidirectionalStreams(0)
                        .maxConnectionBufferSize(CONNECTION_WINDOW)
                        .maxBidirectionalStreamBufferSize(STREAM_WINDOW)
                        .maxUnidirectionalStreamBufferSize(0)
                        .retryRequired(false)
                        .build())
                .withLogger(new NullLogger())
                .build();
        connector.registerApplicationProtocol(ALPN, (protocol, connection) -> new ApplicationProtocolConnection() {
            @Override
            public void acceptPeerInitiatedStream(QuicStream stream) {
                Thread t = new Thread(() -> {
                    try {
                        serve(phases, stream, out, progress, kicker);
                        finished.complete(null);
                    } catch (Exception | Error e) {
                        finished.completeExceptionally(e);
                    }
                }, "bare-quic-server");
                t.setDaemon(true);
                t.start();
            }
        });
        connector.start();
        out.line("READY " + socket.getLocalPort());
        finished.get();
    }

    private static void serve(List<Phase> phases, QuicStream stream, BareMain.Out out, BareMain.Progress progress,
                              Kicker kicker) throws IOException {
        kicker.add(stream.getOutputStream());
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream.getInputStream(), READ_BUFFER));
        OutputStream output = new BufferedOutputStream(stream.getOutputStream(), WRITE_BUFFER);
        byte[] buffer = new byte[1 << 20];
        out.cpu(0);
        for (int index = 0; index < phases.size(); index++) {
            out.phase(index);
            Phase phase = phases.get(index);
            long firstNanos = 0;
            for (long received = 1; received <= phase.total(); received++) {
                int length = Varint.read(in);
                in.readFully(buffer, 0, length);
                progress.tick();
                if (phase.kind() == Phase.Kind.W1) {
                    if (received == phase.warmup() + 1) {
                        firstNanos = System.nanoTime();
                    }
                    if (received == phase.total()) {
                        long lastNanos = System.nanoTime();
                        out.line("RESULT " + index + " W1 received=" + phase.count() + " firstNanos=" + firstNanos
                                + " lastNanos=" + lastNanos);
                        Varint.write(output, 1);
                        output.write(1);
                        output.flush();
                    }
                } else {
                    Varint.write(output, length);
                    output.write(buffer, 0, length);
                    output.flush();
                }
            }
            out.cpu(index + 1);
        }
        out.phase(phases.size());
        // The client closes when it has the last answer; wait for that, so the answer surely left.
        try {
            while (in.read() >= 0) {
                progress.tick();
            }
        } catch (IOException e) {
            // closed by the client: done
        }
    }

    /** Connects, then runs every phase; returns when the last is done. */
    static void client(List<Phase> phases, int port, BareMain.Out out, BareMain.Progress progress, Path dir, boolean kick)
            throws Exception {
        Kicker kicker = new Kicker(kick);
        QuicClientConnection connection = QuicClientConnection.newBuilder()
                .uri(URI.create("https://127.0.0.1:" + port))
                .applicationProtocol(ALPN)
                .connectTimeout(Duration.ofSeconds(5))
                .maxIdleTimeout(Duration.ofMillis(IDLE_TIMEOUT_MILLIS))
                .defaultStreamReceiveBufferSize(STREAM_WINDOW)
                .maxOpenPeerInitiatedBidirectionalStreams(0)
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .noServerCertificateCheck()
                .logger(new NullLogger())
                .build();
        connection.connect();
        QuicStream stream = connection.createStream(true);
        kicker.add(stream.getOutputStream());
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream.getInputStream(), READ_BUFFER));
        OutputStream output = new BufferedOutputStream(stream.getOutputStream(), WRITE_BUFFER);
        out.cpu(0);
        for (int index = 0; index < phases.size(); index++) {
            out.phase(index);
            Phase phase = phases.get(index);
            byte[] payload = new byte[phase.size()];
            if (phase.kind() == Phase.Kind.W1) {
                for (long i = 0; i < phase.total(); i++) {
                    Varint.write(output, payload.length);
                    output.write(payload);
                    progress.tick();
                }
                output.flush();
                in.readFully(new byte[Varint.read(in)]); // the receiver's ack: it has every frame
                progress.tick();
            } else {
                long[] latencies = new long[(int) phase.count()];
                byte[] answer = new byte[payload.length];
                for (long i = 0; i < phase.total(); i++) {
                    long sentAt = System.nanoTime();
                    Varint.write(output, payload.length);
                    output.write(payload);
                    output.flush();
                    int length = Varint.read(in);
                    in.readFully(answer, 0, length);
                    long now = System.nanoTime();
                    progress.tick();
                    if (i >= phase.warmup()) {
                        latencies[(int) (i - phase.warmup())] = now - sentAt;
                    }
                }
                Path file = BareMain.writeLatencies(dir, index, latencies);
                out.line("RESULT " + index + " W2 done=" + phase.count() + " file=" + file);
            }
            out.cpu(index + 1);
        }
        out.phase(phases.size());
        connection.close();
    }

    /** Makes a zero-length write on each stream every KICK_MILLIS (bundles/transport-quic/STALL.md). */
    private static final class Kicker {
        private static final byte[] NOTHING = new byte[0];
        private final List<OutputStream> streams = new CopyOnWriteArrayList<>();

        Kicker(boolean enabled) {
            if (!enabled) {
                return;
            }
            Thread t = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(KICK_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (OutputStream s : streams) {
                        try {
                            s.write(NOTHING, 0, 0);
                        } catch (IOException | RuntimeException e) {
                            streams.remove(s); // closed
                        }
                    }
                }
            }, "bare-quic-kicker");
            t.setDaemon(true);
            t.start();
        }

        void add(OutputStream stream) {
            streams.add(stream);
        }
    }
}
