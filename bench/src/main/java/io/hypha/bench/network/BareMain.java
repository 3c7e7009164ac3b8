package io.hypha.bench.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of a bare baseline, as its own JVM: the same workloads as the Hypha nodes, on a bare Netty TLS connection
 * ({@link BareTls}) or a bare kwik QUIC stream ({@link BareQuic}), with varint-length-prefixed frames of the payload
 * size. The server receives W1 (and times it) and echoes W2; the client sends W1 and times W2. Both run the phases in
 * order on one connection.
 *
 * <pre>
 * java -cp benchmarks.jar io.hypha.bench.network.BareMain tls|quic server|client &lt;phases&gt; keystore=&lt;p12&gt;
 *      password=&lt;pw&gt; stallMillis=&lt;ms&gt; out=&lt;dir&gt; [port=&lt;port&gt;] [kick=true|false]
 * </pre>
 *
 * Standard output is a line protocol the driver ({@link BareRound}) reads:
 * <pre>
 *   READY &lt;port&gt;                                     server: listening
 *   RESULT &lt;i&gt; W1 received=&lt;n&gt; firstNanos=&lt;t&gt; lastNanos=&lt;t&gt;   server: phase i done
 *   RESULT &lt;i&gt; W2 done=&lt;n&gt; file=&lt;path&gt;                   client: phase i done, latencies in the file
 *   CPU &lt;k&gt; &lt;nanos&gt;                                  this process's CPU time at phase boundary k (0: before the
 *                                                      first phase, k: after phase k-1)
 *   STALLED &lt;i&gt; progress=&lt;n&gt;                          no frame moved for stallMillis: the process exits (3)
 *   FAILED &lt;i&gt; &lt;why&gt;                                  the process exits (2)
 *   DONE                                               every phase done
 * </pre>
 */
public final class BareMain {
    /** Key store alias of the certificate. */
    static final String ALIAS = "bench";

    private BareMain() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) {
        Out out = new Out(System.out);
        try {
            if (args.length < 3) {
                throw new IllegalArgumentException("usage: BareMain tls|quic server|client <phases> key=value...");
            }
            Map<String, String> options = new HashMap<>();
            for (int i = 3; i < args.length; i++) {
                String[] kv = args[i].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("not key=value: " + args[i]);
                }
                options.put(kv[0], kv[1]);
            }
            List<Phase> phases = Phase.parseAll(args[2]);
            char[] password = options.getOrDefault("password", "").toCharArray();
            KeyStore keys = loadKeys(Path.of(required(options, "keystore")), password);
            long stallMillis = Long.parseLong(options.getOrDefault("stallMillis", "20000"));
            Path dir = Path.of(options.getOrDefault("out", "."));
            Progress progress = new Progress(out, stallMillis);
            boolean server = switch (args[1]) {
                case "server" -> true;
                case "client" -> false;
                default -> throw new IllegalArgumentException("server or client, not " + args[1]);
            };
            int port = server ? 0 : Integer.parseInt(required(options, "port"));
            boolean kick = Boolean.parseBoolean(options.getOrDefault("kick", "true"));
            switch (args[0]) {
                case "tls" -> {
                    if (server) {
                        BareTls.server(phases, keys, password, out, progress);
                    } else {
                        BareTls.client(phases, port, keys, password, out, progress, dir);
                    }
                }
                case "quic" -> {
                    if (server) {
                        BareQuic.server(phases, keys, password, out, progress, kick);
                    } else {
                        BareQuic.client(phases, port, out, progress, dir, kick);
                    }
                }
                default -> throw new IllegalArgumentException("tls or quic, not " + args[0]);
            }
            out.line("DONE");
            Runtime.getRuntime().halt(0); // kwik's and Netty's threads need not wind down
        } catch (Exception | Error e) {
            out.line("FAILED " + out.phase() + " " + e.toString().replace('\n', ' '));
            e.printStackTrace(System.err);
            Runtime.getRuntime().halt(2);
        }
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing " + key + "=...");
        }
        return value;
    }

    private static KeyStore loadKeys(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, password);
        }
        return keyStore;
    }

    /**
     * Writes latencies as the driver reads them: comma-separated nanoseconds.
     *
     * @return the file
     */
    static Path writeLatencies(Path dir, int phase, long[] nanos) throws IOException {
        StringBuilder sb = new StringBuilder(nanos.length * 8);
        for (int i = 0; i < nanos.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(nanos[i]);
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("latencies-" + ProcessHandle.current().pid() + "-" + phase + ".txt");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    /** The line protocol on standard output; remembers the current phase for FAILED and STALLED lines. */
    static final class Out {
        private final PrintStream stream;
        private volatile int phase;

        Out(PrintStream stream) {
            this.stream = stream;
        }

        synchronized void line(String text) {
            stream.println(text);
            stream.flush();
        }

        void phase(int index) {
            phase = index;
        }

        /** Prints this process's CPU time (user + system, all threads) at phase boundary {@code k}. */
        void cpu(int k) {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean bean) {
                line("CPU " + k + " " + bean.getProcessCpuTime());
            }
        }

        int phase() {
            return phase;
        }
    }

    /**
     * Counts frames moved in the current phase; a daemon thread ends the process (exit code 3, after a {@code STALLED}
     * line) when the count has not changed for {@code stallMillis}, so that a stalled bare run is recorded rather than
     * hanging.
     */
    static final class Progress {
        private final AtomicLong moved = new AtomicLong();

        Progress(Out out, long stallMillis) {
            Thread watcher = new Thread(() -> {
                long last = -1;
                long since = System.nanoTime();
                while (true) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long now = moved.get();
                    if (now != last) {
                        last = now;
                        since = System.nanoTime();
                    } else if (System.nanoTime() - since > stallMillis * 1_000_000L) {
                        out.line("STALLED " + out.phase() + " progress=" + now);
                        Runtime.getRuntime().halt(3);
                    }
                }
            }, "bench-stall-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        /** A frame moved. */
        void tick() {
            moved.lazySet(moved.get() + 1); // one writer thread per process at a time
        }
    }
}
