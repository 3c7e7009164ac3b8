import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.Logger;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.log.SysOutLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * Minimal reproduction of a kwik 0.10.9 stall: a client and a server in one JVM over loopback, one bidirectional
 * stream, 4-byte length-prefixed frames written and read through the stream's blocking Input/OutputStreams.
 *
 * <pre>
 * java -cp ... KwikStallRepro oneway   [runs] [frames] [frameSize] [log] [kick] [window]
 * java -cp ... KwikStallRepro pingpong [runs] [rounds] [frameSize] [log] [kick] [window]
 * </pre>
 *
 * A run is declared stalled when no frame makes progress for 3 seconds; the program then prints the threads of
 * both sides and kwik's statistics, closes both connections and goes on with the next run. {@code log} = true
 * prints kwik's own flow-control, congestion-control and recovery log (much output). {@code kick} = true applies the
 * workaround: every 20 ms a zero-length write on each side's output stream, which queues a new send request when the
 * stream's request counter is 0, so data stranded in the send buffer by the lost send request goes out.
 */
public final class KwikStallRepro {
    private static final String ALPN = "repro";
    private static final long STALL_MILLIS = 3_000;
    /** Stream receive window of both sides in bytes; 0: kwik's defaults. */
    private static long window;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "pingpong";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int size = args.length > 3 ? Integer.parseInt(args[3]) : (mode.equals("oneway") ? 10_240 : 100);
        boolean log = args.length > 4 && Boolean.parseBoolean(args[4]);
        boolean kick = args.length > 5 && Boolean.parseBoolean(args[5]);
        window = args.length > 6 ? Long.parseLong(args[6]) : 0;
        KeyStore keyStore = selfSignedKeyStore();
        int stalled = 0;
        for (int run = 1; run <= runs; run++) {
            long start = System.nanoTime();
            String result = run(mode, count, size, keyStore, log, kick);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("run %d/%d %s %d x %d B: %s in %d ms%n", run, runs, mode, count, size, result, millis);
            if (!result.equals("completed")) {
                stalled++;
            }
        }
        System.out.printf("%s: %d of %d runs stalled%n", mode, stalled, runs);
        System.exit(stalled == 0 ? 0 : 1);
    }

    private static String run(String mode, int count, int size, KeyStore keyStore, boolean log, boolean kick) throws Exception {
        java.util.List<OutputStream> kicked = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong progress = new AtomicLong();
        AtomicReference<QuicConnection> serverConnection = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServerConnector server = ServerConnector.builder()
                .withSocket(socket)
                .withKeyStore(keyStore, "repro", "secret".toCharArray(), "secp256r1")
                .withConfiguration(ServerConnectionConfig.builder()
                        .maxIdleTimeoutInSeconds(30)
                        .maxOpenPeerInitiatedBidirectionalStreams(1)
                        .maxOpenPeerInitiatedUnidirectionalStreams(0)
                        .maxConnectionBufferSize(window > 0 ? 2 * window : 2_500_000)
                        .maxBidirectionalStreamBufferSize(window > 0 ? window : 250_000)
                        .build())
                .withLogger(logger("server", log))
                .build();
        server.registerApplicationProtocol(ALPN, (protocol, connection) -> {
            serverConnection.set(connection);
            return new ApplicationProtocolConnection() {
                @Override
                public void acceptPeerInitiatedStream(QuicStream stream) {
                    kicked.add(stream.getOutputStream());
                    Thread t = new Thread(() -> serve(mode, count, stream, progress), "repro-server-stream");
                    t.setDaemon(true);
                    t.start();
                }
            };
        });
        server.start();

        QuicClientConnection client = QuicClientConnection.newBuilder()
                .uri(URI.create("https://localhost:" + socket.getLocalPort()))
                .applicationProtocol(ALPN)
                .noServerCertificateCheck()
                .preferIPv4()
                .maxIdleTimeout(Duration.ofSeconds(30))
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .defaultStreamReceiveBufferSize(window > 0 ? window : 250_000L)
                .logger(logger("client", log))
                .build();
        client.connect();
        QuicStream stream = client.createStream(true);
        kicked.add(stream.getOutputStream());
        if (kick) {
            Thread kicker = new Thread(() -> {
                byte[] empty = new byte[0];
                while (done.getCount() > 0) {
                    try {
                        Thread.sleep(20);
                        for (OutputStream out : kicked) {
                            out.write(empty, 0, 0);
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "repro-kicker");
            kicker.setDaemon(true);
            kicker.start();
        }
        Thread clientThread = new Thread(() -> {
            try {
                drive(mode, count, size, stream, progress);
                done.countDown();
            } catch (Exception e) {
                System.out.println("client: " + e);
            }
        }, "repro-client-stream");
        clientThread.setDaemon(true);
        clientThread.start();

        String result = "completed";
        long last = -1;
        while (!done.await(STALL_MILLIS, TimeUnit.MILLISECONDS)) {
            long now = progress.get();
            if (now == last) {
                result = "STALLED after " + now + " frames";
                System.out.println(result + "; client stats: " + client.getStats());
                System.out.println("client state: " + KwikState.describe(client));
                if (serverConnection.get() != null) {
                    System.out.println("server stats: " + serverConnection.get().getStats());
                    System.out.println("server state: " + KwikState.describe(serverConnection.get()));
                }
                dumpThreads();
                break;
            }
            last = now;
        }
        client.close();
        server.close();
        return result;
    }

    /** Client side: writes the frames (oneway) or sends a frame and waits for its echo (pingpong). */
    private static void drive(String mode, int count, int size, QuicStream stream, AtomicLong progress) throws Exception {
        DataOutputStream out = new DataOutputStream(stream.getOutputStream());
        DataInputStream in = new DataInputStream(stream.getInputStream());
        byte[] frame = new byte[size];
        for (int i = 0; i < count; i++) {
            out.writeInt(size);
            out.write(frame);
            out.flush();
            if (mode.equals("pingpong")) {
                int length = in.readInt();
                in.readFully(new byte[length]);
                progress.incrementAndGet();
            }
        }
        if (mode.equals("oneway")) {
            in.readInt(); // the server's "all received"
        }
    }

    /** Server side: reads every frame; echoes each (pingpong) or answers once at the end (oneway). */
    private static void serve(String mode, int count, QuicStream stream, AtomicLong progress) {
        try {
            DataInputStream in = new DataInputStream(stream.getInputStream());
            OutputStream rawOut = stream.getOutputStream();
            DataOutputStream out = new DataOutputStream(rawOut);
            byte[] buffer = new byte[1 << 16];
            for (int i = 0; i < count; i++) {
                int length = in.readInt();
                in.readFully(buffer, 0, length);
                if (mode.equals("pingpong")) {
                    out.writeInt(length);
                    out.write(buffer, 0, length);
                    out.flush();
                } else {
                    progress.incrementAndGet();
                }
            }
            if (mode.equals("oneway")) {
                out.writeInt(0);
                out.flush();
            }
        } catch (Exception e) {
            System.out.println("server: " + e);
        }
    }

    private static Logger logger(String side, boolean enabled) {
        if (!enabled) {
            return new NullLogger();
        }
        SysOutLogger logger = new SysOutLogger() {
            @Override
            protected void log(String message) {
                super.log(side + " " + message);
            }
        };
        logger.logFlowControl(true);
        logger.logCongestionControl(true);
        logger.logRecovery(true);
        logger.logPackets(true);
        logger.logInfo(true);
        logger.logWarning(true);
        return logger;
    }

    private static void dumpThreads() {
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = info.getThreadName();
            if (name.startsWith("repro") || name.contains("receiver") || name.contains("sender") || name.contains("loop")
                    || name.contains("Receiver") || name.contains("Sender")) {
                System.out.println("\"" + name + "\" " + info.getThreadState());
                StackTraceElement[] stack = info.getStackTrace();
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    System.out.println("\tat " + stack[i]);
                }
            }
        }
    }

    /** A PKCS12 key store with a self-signed P-256 certificate for "localhost", made by the JDK's keytool. */
    private static KeyStore selfSignedKeyStore() throws Exception {
        Path dir = Files.createTempDirectory("kwik-repro");
        File file = dir.resolve("server.p12").toFile();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "repro", "-keyalg", "EC", "-groupname",
                "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "san=dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", file.getPath(), "-storepass", "secret",
                "-keypass", "secret").inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(file)) {
            keyStore.load(in, "secret".toCharArray());
        }
        file.delete();
        dir.toFile().delete();
        return keyStore;
    }
}
