package io.hypha.bench.probe;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.engine.Timer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Engine {@value #NAME}: both ends of the node-to-node latency benchmark (bench/run-network.sh, workload W2). Every
 * node answers a {@value #PING_TYPE} with a {@value #PONG_TYPE} reply carrying the same payload; the driving node sends
 * pings to the {@value #NAME} engine of another node, one in flight, and times each round trip on its own turn
 * ({@link System#nanoTime()} just before the send and when the reply is handled: the whole path both ways, mailboxes
 * included). Text requests ({@code hypha:send bench-ping <text>}):
 * <pre>
 *   start &lt;nodeid&gt;|local &lt;count&gt; [size=&lt;bytes&gt;] [warmup=&lt;round trips&gt;]
 *   status          run state count done warmup, and once DONE p50Nanos p99Nanos p999Nanos maxNanos meanNanos
 *   await &lt;ms&gt;      the status, as soon as the run is DONE or after &lt;ms&gt; (1 to 50000)
 * </pre>
 * The first {@code warmup} round trips are not timed. The payload is {@code size} bytes: run id, sequence number, zeros.
 * Percentiles are nearest-rank over the sorted round trips, computed as the benchmark computes the bare side's
 * ({@code io.hypha.bench.network.Stats}): the console shows at most 2,000 characters of a reply, too few for the raw
 * values.
 */
@Component(service = Engine.class)
@EngineName(BenchPing.NAME)
public final class BenchPing implements Engine {
    /** The engine name. */
    public static final String NAME = "bench-ping";
    /** A ping, answered with {@link #PONG_TYPE}. */
    static final String PING_TYPE = "bench.ping";
    /** The reply to a ping. */
    static final String PONG_TYPE = "bench.pong";
    /** Smallest payload: run id and sequence number. */
    static final int MIN_SIZE = 16;
    /** Largest run, so that the recorded latencies stay small (8 MiB). */
    static final int MAX_COUNT = 1 << 20;

    /** One run: touched on the engine's turn only. */
    private static final class Run {
        final long id;
        final EngineAddress to;
        final int count;
        final int warmup;
        final int size;
        final long[] latencies;
        int done;
        long sentAt;
        Timer awaitTimer;
        Envelope awaiting;

        Run(long id, EngineAddress to, int count, int warmup, int size) {
            this.id = id;
            this.to = to;
            this.count = count;
            this.warmup = warmup;
            this.size = size;
            this.latencies = new long[count - warmup];
        }

        boolean finished() {
            return done >= count;
        }
    }

    private Run run;

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        switch (message.type()) {
            case PING_TYPE -> {
                if (!message.isReply()) {
                    ctx.reply(message, PONG_TYPE, message.payload());
                }
            }
            case PONG_TYPE -> pong(message, ctx);
            case Commands.TEXT_TYPE -> {
                if (!message.isReply()) {
                    command(message, ctx);
                }
            }
            default -> ctx.log().debug("ignored {}", message);
        }
    }

    @Override
    public void onStop(EngineContext ctx) {
        if (run != null && run.awaitTimer != null) {
            run.awaitTimer.cancel();
        }
    }

    private void command(Envelope message, EngineContext ctx) {
        String[] words = String.valueOf(message.payload()).trim().split("\\s+");
        try {
            switch (words[0]) {
                case "start" -> ctx.reply(message, Commands.OK_TYPE, start(words, ctx));
                case "status" -> ctx.reply(message, Commands.OK_TYPE, status());
                case "await" -> await(message, words, ctx);
                default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'; use: start <nodeid>|local"
                        + " <count> [size=<bytes>] [warmup=<round trips>] | status | await <ms>");
            }
        } catch (IllegalArgumentException e) {
            ctx.reply(message, Commands.ERROR_TYPE, e.getMessage());
        }
    }

    private String start(String[] words, EngineContext ctx) {
        if (run != null && !run.finished()) {
            throw new IllegalArgumentException("busy: run " + Long.toHexString(run.id) + " is still running");
        }
        if (words.length < 3) {
            throw new IllegalArgumentException("usage: start <nodeid>|local <count> [size=<bytes>] [warmup=<round trips>]");
        }
        EngineAddress to;
        try {
            to = words[1].equals("local") ? EngineAddress.local(NAME) : EngineAddress.of(NodeId.parse(words[1]), NAME);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + words[1] + "' is neither a node id nor 'local'");
        }
        int count = (int) Commands.number("count", words[2], 1, MAX_COUNT);
        int size = 100;
        int warmup = 0;
        for (int i = 3; i < words.length; i++) {
            String[] kv = Commands.pair(words[i]);
            switch (kv[0]) {
                case "size" -> size = (int) Commands.number("size", kv[1], MIN_SIZE, BenchData.MAX_SIZE);
                case "warmup" -> warmup = (int) Commands.number("warmup", kv[1], 0, count - 1);
                default -> throw new IllegalArgumentException("unknown option '" + kv[0] + "' (size, warmup)");
            }
        }
        Run r = new Run(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, to, count, warmup, size);
        run = r;
        ctx.log().info("bench ping run {}: {} round trips of {} B ({} warm-up) with {}", Long.toHexString(r.id), count, size,
                warmup, to);
        ping(r, ctx);
        return "started run " + Long.toHexString(r.id) + ": " + count + " round trips of " + size + " B (" + warmup
                + " warm-up) with " + to;
    }

    private void ping(Run r, EngineContext ctx) {
        byte[] payload = new byte[r.size];
        ByteBuffer.wrap(payload).putLong(r.id).putLong(r.done + 1L);
        r.sentAt = System.nanoTime();
        ctx.send(r.to, PING_TYPE, payload);
    }

    private void pong(Envelope message, EngineContext ctx) {
        long now = System.nanoTime();
        Run r = run;
        if (r == null || r.finished() || !(message.payload() instanceof byte[] bytes) || bytes.length < MIN_SIZE) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getLong() != r.id || b.getLong() != r.done + 1L) {
            return; // a late reply of an earlier run
        }
        if (r.done >= r.warmup) {
            r.latencies[r.done - r.warmup] = now - r.sentAt;
        }
        r.done++;
        if (r.finished()) {
            ctx.log().info("bench ping run {}: done", Long.toHexString(r.id));
            if (r.awaiting != null) {
                r.awaitTimer.cancel();
                ctx.reply(r.awaiting, Commands.OK_TYPE, status());
                r.awaiting = null;
            }
        } else {
            ping(r, ctx);
        }
    }

    private void await(Envelope request, String[] words, EngineContext ctx) {
        long millis;
        try {
            millis = words.length == 2 ? Long.parseLong(words[1]) : -1;
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 1 || millis > BenchSink.MAX_AWAIT_MILLIS) {
            throw new IllegalArgumentException("usage: await <ms> (1 to " + BenchSink.MAX_AWAIT_MILLIS + ")");
        }
        Run r = run;
        if (r == null || r.finished()) {
            ctx.reply(request, Commands.OK_TYPE, status());
            return;
        }
        if (r.awaiting != null) {
            throw new IllegalArgumentException("another await is pending");
        }
        r.awaiting = request;
        r.awaitTimer = ctx.schedule(Duration.ofMillis(millis), () -> {
            if (r.awaiting == request) {
                r.awaiting = null;
                ctx.reply(request, Commands.OK_TYPE, status());
            }
        });
    }

    /** @return the status line */
    String status() {
        Run r = run;
        if (r == null) {
            return "run=none state=IDLE";
        }
        StringBuilder sb = new StringBuilder("run=").append(Long.toHexString(r.id)).append(" state=")
                .append(r.finished() ? "DONE" : "RUNNING").append(" count=").append(r.count).append(" done=").append(r.done)
                .append(" warmup=").append(r.warmup);
        if (r.finished() && r.latencies.length > 0) {
            long[] sorted = r.latencies.clone();
            Arrays.sort(sorted);
            double sum = 0;
            for (long n : sorted) {
                sum += n;
            }
            sb.append(" p50Nanos=").append(rank(sorted, 500_000)).append(" p99Nanos=").append(rank(sorted, 990_000))
                    .append(" p999Nanos=").append(rank(sorted, 999_000)).append(" maxNanos=").append(sorted[sorted.length - 1])
                    .append(" meanNanos=").append(Math.round(sum / sorted.length));
        }
        return sb.toString();
    }

    /**
     * Nearest rank: the smallest value with at least {@code ppm} parts per million of the values at or below it
     * (integer arithmetic, so that it agrees exactly with the benchmark's own computation).
     */
    private static long rank(long[] sorted, long ppm) {
        long rank = (sorted.length * ppm + 999_999) / 1_000_000;
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
