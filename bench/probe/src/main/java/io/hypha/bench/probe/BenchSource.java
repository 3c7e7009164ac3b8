package io.hypha.bench.probe;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * Engine {@value #NAME}: the sending end of the node-to-node throughput benchmark (bench/run-network.sh, workload W1).
 * It sends {@link BenchData} messages to the {@link BenchSink} of a node as fast as a credit window allows. Text
 * requests ({@code hypha:send bench-source <text>}), each answered with one line:
 * <pre>
 *   start &lt;nodeid&gt;|local &lt;count&gt; [size=&lt;bytes&gt;] [warmup=&lt;messages&gt;] [window=&lt;messages&gt;] [credit=&lt;messages&gt;]
 *   status     run, state, sent, credited, refused (by reason)
 *   stop       stops sending
 * </pre>
 *
 * <p>The window (messages sent and not yet credited by the sink) keeps every queue on the way (the transport's per-peer
 * buffer, the sink's mailbox) below its bound, so a run measures the stack rather than its overflow handling; the sink
 * credits every {@code credit} messages (at most half the window, so the source never waits for a credit that cannot
 * come). A message the platform reports undeliverable is counted by reason, not sent again: the run then never ends,
 * and the benchmark reports it as incomplete.
 */
@Component(service = Engine.class)
@EngineName(BenchSource.NAME)
public final class BenchSource implements Engine {
    /** The engine name. */
    public static final String NAME = "bench-source";
    /** Payload size when {@code size=} is not given. */
    static final int DEFAULT_SIZE = 100;
    /** Window when {@code window=} is not given. */
    static final int DEFAULT_WINDOW = 4096;
    /** Credit interval when {@code credit=} is not given. */
    static final int DEFAULT_CREDIT = 256;
    /** Largest run. */
    static final long MAX_COUNT = 100_000_000L;

    /** Where a run is. */
    enum State {
        /** Messages remain to be sent or credited. */
        SENDING,
        /** The sink credited every message. */
        DONE,
        /** Stopped by the {@code stop} command. */
        STOPPED
    }

    /** One run: touched on the engine's turn only. */
    private static final class Run {
        final long id;
        final EngineAddress to;
        final long count;
        final long warmup;
        final int size;
        final int window;
        final int credit;
        final long startMillis;
        final Map<DeliveryFailure, Long> refused = new EnumMap<>(DeliveryFailure.class);
        long sent;
        long credited;
        long endMillis = -1;
        State state = State.SENDING;

        Run(long id, EngineAddress to, long count, long warmup, int size, int window, int credit, long startMillis) {
            this.id = id;
            this.to = to;
            this.count = count;
            this.warmup = warmup;
            this.size = size;
            this.window = window;
            this.credit = credit;
            this.startMillis = startMillis;
        }
    }

    private Run run;

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        if (BenchSink.CREDIT_TYPE.equals(message.type())) {
            credit(message, ctx);
        } else if (Commands.TEXT_TYPE.equals(message.type()) && !message.isReply()) {
            String[] words = String.valueOf(message.payload()).trim().split("\\s+");
            try {
                String answer = switch (words[0]) {
                    case "start" -> start(words, ctx);
                    case "status" -> status(ctx);
                    case "stop" -> stop(ctx);
                    default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'; use: start <nodeid>|local"
                            + " <count> [size=<bytes>] [warmup=<messages>] [window=<messages>] [credit=<messages>] | status | stop");
                };
                ctx.reply(message, Commands.OK_TYPE, answer);
            } catch (IllegalArgumentException e) {
                ctx.reply(message, Commands.ERROR_TYPE, e.getMessage());
            }
        } else {
            ctx.log().debug("ignored {}", message);
        }
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        Run r = run;
        if (r != null && BenchData.TYPE.equals(letter.envelope().type())) {
            r.refused.merge(letter.failure(), 1L, Long::sum);
            ctx.log().warn("bench run {}: message refused ({}): {}", Long.toHexString(r.id), letter.failure(), letter.detail());
        }
    }

    private String start(String[] words, EngineContext ctx) {
        if (run != null && run.state == State.SENDING) {
            throw new IllegalArgumentException("busy: run " + Long.toHexString(run.id) + " is still sending (stop it first)");
        }
        if (words.length < 3) {
            throw new IllegalArgumentException("usage: start <nodeid>|local <count> [size=<bytes>] [warmup=<messages>]"
                    + " [window=<messages>] [credit=<messages>]");
        }
        EngineAddress to;
        try {
            to = words[1].equals("local") ? EngineAddress.local(BenchSink.NAME) : EngineAddress.of(NodeId.parse(words[1]), BenchSink.NAME);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + words[1] + "' is neither a node id nor 'local'");
        }
        long count = Commands.number("count", words[2], 1, MAX_COUNT);
        int size = DEFAULT_SIZE;
        long warmup = 0;
        int window = DEFAULT_WINDOW;
        int credit = DEFAULT_CREDIT;
        for (int i = 3; i < words.length; i++) {
            String[] kv = Commands.pair(words[i]);
            switch (kv[0]) {
                case "size" -> size = (int) Commands.number("size", kv[1], BenchData.MIN_SIZE, BenchData.MAX_SIZE);
                case "warmup" -> warmup = Commands.number("warmup", kv[1], 0, count - 1);
                case "window" -> window = (int) Commands.number("window", kv[1], 2, 1_000_000);
                case "credit" -> credit = (int) Commands.number("credit", kv[1], 1, 1_000_000);
                default -> throw new IllegalArgumentException("unknown option '" + kv[0] + "' (size, warmup, window, credit)");
            }
        }
        if (credit > window / 2) {
            throw new IllegalArgumentException("credit (" + credit + ") must be at most half the window (" + window + ")");
        }
        Run r = new Run(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, to, count, warmup, size, window, credit,
                ctx.clock().millis());
        run = r;
        ctx.log().info("bench run {}: {} messages of {} B ({} warm-up) to {}, window {}, credit every {}",
                Long.toHexString(r.id), count, size, warmup, to, window, credit);
        pump(r, ctx);
        return "started run " + Long.toHexString(r.id) + ": " + count + " messages of " + size + " B (" + warmup
                + " warm-up) to " + to + ", window " + window + ", credit every " + credit;
    }

    private String status(EngineContext ctx) {
        Run r = run;
        if (r == null) {
            return "state=IDLE";
        }
        long elapsed = (r.endMillis >= 0 ? r.endMillis : ctx.clock().millis()) - r.startMillis;
        return "run=" + Long.toHexString(r.id) + " state=" + r.state + " count=" + r.count + " sent=" + r.sent
                + " credited=" + r.credited + " refused=" + refusedText(r) + " elapsedMillis=" + elapsed;
    }

    private String stop(EngineContext ctx) {
        Run r = run;
        if (r == null || r.state != State.SENDING) {
            return "nothing to stop; " + status(ctx);
        }
        r.state = State.STOPPED;
        r.endMillis = ctx.clock().millis();
        return "stopped; " + status(ctx);
    }

    /** Sends what the window allows now. */
    private void pump(Run r, EngineContext ctx) {
        if (r.state != State.SENDING || run != r) {
            return;
        }
        while (r.sent < r.count && r.sent - r.credited < r.window) {
            r.sent++;
            ctx.send(r.to, BenchData.TYPE, new BenchData(r.id, r.sent, r.count, r.warmup, r.credit).encode(r.size));
        }
    }

    private void credit(Envelope message, EngineContext ctx) {
        Run r = run;
        String[] parts = String.valueOf(message.payload()).trim().split(" ");
        if (r == null || parts.length != 2 || !parts[0].equals(Long.toHexString(r.id))) {
            return; // a credit of an earlier run
        }
        long received;
        try {
            received = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            ctx.log().warn("malformed credit ignored: {}", message.payload());
            return;
        }
        r.credited = Math.max(r.credited, Math.min(received, r.sent));
        if (r.credited >= r.count && r.state == State.SENDING) {
            r.state = State.DONE;
            r.endMillis = ctx.clock().millis();
            ctx.log().info("bench run {}: done, {} messages credited in {} ms", Long.toHexString(r.id), r.credited,
                    r.endMillis - r.startMillis);
        } else {
            pump(r, ctx);
        }
    }

    private static String refusedText(Run r) {
        if (r.refused.isEmpty()) {
            return "none";
        }
        return r.refused.entrySet().stream().map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
