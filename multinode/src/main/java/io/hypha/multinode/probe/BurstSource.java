package io.hypha.multinode.probe;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.engine.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * Engine {@value #NAME}: sends numbered {@link StreamData} messages (a run, as {@link StreamSource} does) to the
 * {@link StreamSink} of a node without waiting for credits, each with an optional expiry, and counts every one the
 * platform reports undeliverable, by reason. Made for destinations that are not there yet (an edge node behind a relay):
 * the messages wait somewhere on the way, and what expires or is refused comes back as a reason.
 * Text requests ({@code hypha:send burst-source <text>}), each answered with one line:
 * <pre>
 *   send &lt;nodeid&gt; &lt;count&gt; [size=&lt;bytes&gt;] [ttl=&lt;ms&gt;] [rate=&lt;messages per second&gt;]
 *              starts a run (a new run id); without rate, all are sent at once
 *   status     sent=&lt;n&gt; sending=&lt;true|false&gt; refused=&lt;reason:count,...|none&gt; run=&lt;last run&gt;: counts since the last reset
 *   reset      forgets the counts
 * </pre>
 * Dead letters are counted whatever run they belong to (one reported expired by a relay carries no payload, so no run
 * id): reset between scenarios.
 */
@Component(service = Engine.class)
@EngineName(BurstSource.NAME)
public final class BurstSource implements Engine {
    /** The engine name. */
    public static final String NAME = "burst-source";
    /** Largest run. */
    static final long MAX_COUNT = 1_000_000;
    /** How often a rate-limited run sends its next share. */
    static final Duration TICK = Duration.ofMillis(10);

    private final Map<DeliveryFailure, Long> refused = new EnumMap<>(DeliveryFailure.class);
    private long sent;
    private long lastRun;
    private Timer ticker;

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        if (StreamSource.TEXT_TYPE.equals(message.type()) && !message.isReply()) {
            String text = String.valueOf(message.payload()).trim();
            try {
                ctx.reply(message, StreamSource.OK_TYPE, command(text, ctx));
            } catch (IllegalArgumentException e) {
                ctx.reply(message, StreamSource.ERROR_TYPE, e.getMessage());
            }
        } else {
            ctx.log().debug("ignored {}", message); // the sink's credits among others
        }
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        if (StreamData.TYPE.equals(letter.envelope().type())) {
            refused.merge(letter.failure(), 1L, Long::sum);
        }
    }

    @Override
    public void onStop(EngineContext ctx) {
        if (ticker != null) {
            ticker.cancel();
        }
    }

    private String command(String text, EngineContext ctx) {
        String[] words = text.isEmpty() ? new String[] {""} : text.split("\\s+");
        return switch (words[0]) {
            case "send" -> send(words, ctx);
            case "status" -> status();
            case "reset" -> {
                refused.clear();
                sent = 0;
                yield "reset; " + status();
            }
            default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'; use: send <nodeid> <count>"
                    + " [size=<bytes>] [ttl=<ms>] [rate=<per second>] | status | reset");
        };
    }

    private String send(String[] words, EngineContext ctx) {
        if (words.length < 3) {
            throw new IllegalArgumentException("usage: send <nodeid> <count> [size=<bytes>] [ttl=<ms>] [rate=<per second>]");
        }
        if (ticker != null && !ticker.isDone()) {
            throw new IllegalArgumentException("busy: a rate-limited run is still sending");
        }
        EngineAddress to;
        try {
            to = EngineAddress.of(NodeId.parse(words[1]), StreamSink.NAME);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + words[1] + "' is not a node id");
        }
        long count = number("count", words[2], 1, MAX_COUNT);
        int size = StreamSource.DEFAULT_SIZE;
        long ttl = 0;
        long rate = 0;
        for (int i = 3; i < words.length; i++) {
            String[] kv = words[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("option '" + words[i] + "' is not name=value");
            }
            switch (kv[0]) {
                case "size" -> size = (int) number("size", kv[1], StreamData.MIN_SIZE, StreamData.MAX_SIZE);
                case "ttl" -> ttl = number("ttl", kv[1], 0, Long.MAX_VALUE / 2);
                case "rate" -> rate = number("rate", kv[1], 0, 10_000_000);
                default -> throw new IllegalArgumentException("unknown option '" + kv[0] + "' (size, ttl, rate)");
            }
        }
        long run = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        lastRun = run;
        Burst b = new Burst(run, to, count, size, ttl, rate, ctx.clock().millis());
        b.pump(ctx);
        if (b.next <= count) {
            ticker = ctx.scheduleAtFixedRate(TICK, () -> {
                b.pump(ctx);
                if (b.next > b.count) {
                    ticker.cancel();
                }
            });
        }
        return "started run " + Long.toHexString(run) + ": " + count + " messages of " + size + " B to " + to + ", ttl "
                + (ttl == 0 ? "none" : ttl + " ms") + ", rate " + (rate == 0 ? "unlimited" : rate + "/s");
    }

    /** One run; touched on the engine's turn only. */
    private final class Burst {
        final long run;
        final EngineAddress to;
        final long count;
        final int size;
        final long ttl;
        final long rate;
        final long startMillis;
        long next = 1;

        Burst(long run, EngineAddress to, long count, int size, long ttl, long rate, long startMillis) {
            this.run = run;
            this.to = to;
            this.count = count;
            this.size = size;
            this.ttl = ttl;
            this.rate = rate;
            this.startMillis = startMillis;
        }

        void pump(EngineContext ctx) {
            long limit = rate == 0 ? count : Math.min(count, Math.max(1, rate * (ctx.clock().millis() - startMillis) / 1000));
            for (; next <= limit; next++) {
                byte[] payload = new StreamData(run, next, size).encode();
                if (ttl == 0) {
                    ctx.send(to, StreamData.TYPE, payload);
                } else {
                    ctx.send(to, StreamData.TYPE, payload, Duration.ofMillis(ttl));
                }
                sent++;
            }
        }
    }

    private String status() {
        String reasons = refused.isEmpty() ? "none" : refused.entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + ":" + e.getValue()).collect(Collectors.joining(","));
        return "sent=" + sent + " sending=" + (ticker != null && !ticker.isDone()) + " refused=" + reasons + " run="
                + Long.toHexString(lastRun);
    }

    private static long number(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", got " + value);
        }
        return value;
    }
}
