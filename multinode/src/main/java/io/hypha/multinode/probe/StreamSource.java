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
 * Engine {@value #NAME}: sends a numbered stream of messages to the {@link StreamSink} of a node, as fast as a credit
 * window and an optional rate allow. Driven by text requests (what {@code hypha:send stream-source <text>} sends),
 * each answered with one line:
 * <pre>
 *   start &lt;nodeid&gt;|local &lt;count&gt; [size=&lt;bytes&gt;] [window=&lt;messages&gt;] [rate=&lt;messages per second&gt;]
 *   status     run, state, sent, credited, refused (by reason)
 *   stop       stops sending
 * </pre>
 *
 * <h2>Why a credit window</h2>
 * The sink returns a credit ({@value #CREDIT_TYPE}: how many distinct messages of the run it has received) every few
 * hundred messages; the source keeps at most {@code window} messages beyond the last credit. That keeps every queue in
 * between (transport hand-off, per-peer buffer, the sink's mailbox) below its bound whatever the transports do, so a
 * refused message can only mean a defect. A message the platform reports undeliverable is counted by reason and not
 * sent again: the sink sees the gap.
 *
 * <p>The rate ({@code rate=}, messages per second, 0 = unlimited) stretches a run over time, so that an operator (or a
 * test) can change the node while it is in flight.
 */
@Component(service = Engine.class)
@EngineName(StreamSource.NAME)
public final class StreamSource implements Engine {
    /** The engine name. */
    public static final String NAME = "stream-source";
    /** Message type of the sink's credits: payload {@code "<run hex> <received>"}. */
    static final String CREDIT_TYPE = "stream.credit";
    /** Type of the requests this engine understands (what the console sends). */
    static final String TEXT_TYPE = "text";
    /** Reply type of a command that worked. */
    static final String OK_TYPE = "stream.ok";
    /** Reply type of a command that was refused. */
    static final String ERROR_TYPE = "stream.error";
    /** Payload size when {@code size=} is not given. */
    static final int DEFAULT_SIZE = 100;
    /** Credit window when {@code window=} is not given; below the runtime's default mailbox capacity (16384). */
    static final int DEFAULT_WINDOW = 4096;
    /** Largest run, so that the sink's record of seen numbers stays small (2 MiB). */
    static final long MAX_COUNT = 1L << 24;
    /** How often a rate-limited run sends its next share. */
    static final Duration TICK = Duration.ofMillis(10);

    /** Where a run is. */
    enum State {
        /** Messages remain to be sent or credited. */
        SENDING,
        /** Every message was credited by the sink. */
        DONE,
        /** Stopped by the {@code stop} command. */
        STOPPED
    }

    /** One run: mutable, touched on the engine's turn only. */
    private static final class Run {
        final long id;
        final EngineAddress to;
        final long count;
        final int size;
        final int window;
        final long rate;
        final long startMillis;
        final Map<DeliveryFailure, Long> refused = new EnumMap<>(DeliveryFailure.class);
        long sent;
        long credited;
        long endMillis = -1;
        State state = State.SENDING;
        Timer ticker;

        Run(long id, EngineAddress to, long count, int size, int window, long rate, long startMillis) {
            this.id = id;
            this.to = to;
            this.count = count;
            this.size = size;
            this.window = window;
            this.rate = rate;
            this.startMillis = startMillis;
        }
    }

    private Run run;

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        if (CREDIT_TYPE.equals(message.type())) {
            credit(message, ctx);
        } else if (TEXT_TYPE.equals(message.type()) && !message.isReply()) {
            String text = String.valueOf(message.payload()).trim();
            try {
                ctx.reply(message, OK_TYPE, command(text, ctx));
            } catch (IllegalArgumentException e) {
                ctx.reply(message, ERROR_TYPE, e.getMessage());
            }
        } else {
            ctx.log().debug("ignored {}", message);
        }
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        Run r = run;
        if (r != null && StreamData.TYPE.equals(letter.envelope().type())) {
            r.refused.merge(letter.failure(), 1L, Long::sum);
            ctx.log().warn("stream run {}: message refused ({}): {}", Long.toHexString(r.id), letter.failure(), letter.detail());
        }
    }

    @Override
    public void onStop(EngineContext ctx) {
        if (run != null && run.ticker != null) {
            run.ticker.cancel();
        }
    }

    /**
     * @return the answer to a text command
     * @throws IllegalArgumentException with the sentence to answer if the command is refused
     */
    String command(String text, EngineContext ctx) {
        String[] words = text.isEmpty() ? new String[] {""} : text.split("\\s+");
        return switch (words[0]) {
            case "start" -> start(words, ctx);
            case "status" -> status(ctx);
            case "stop" -> stop(ctx);
            default -> throw new IllegalArgumentException("unknown command '" + words[0] + "'; use: start <nodeid>|local <count>"
                    + " [size=<bytes>] [window=<messages>] [rate=<messages per second>] | status | stop");
        };
    }

    private String start(String[] words, EngineContext ctx) {
        if (run != null && run.state == State.SENDING) {
            throw new IllegalArgumentException("busy: run " + Long.toHexString(run.id) + " is still sending (stop it first)");
        }
        if (words.length < 3) {
            throw new IllegalArgumentException("usage: start <nodeid>|local <count> [size=<bytes>] [window=<messages>] [rate=<per second>]");
        }
        EngineAddress to;
        try {
            to = words[1].equals("local") ? EngineAddress.local(StreamSink.NAME) : EngineAddress.of(NodeId.parse(words[1]), StreamSink.NAME);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + words[1] + "' is neither a node id nor 'local'");
        }
        long count = number("count", words[2], 1, MAX_COUNT);
        int size = DEFAULT_SIZE;
        int window = DEFAULT_WINDOW;
        long rate = 0;
        for (int i = 3; i < words.length; i++) {
            String[] kv = words[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("option '" + words[i] + "' is not name=value");
            }
            switch (kv[0]) {
                case "size" -> size = (int) number("size", kv[1], StreamData.MIN_SIZE, StreamData.MAX_SIZE);
                case "window" -> window = (int) number("window", kv[1], 1, 1_000_000);
                case "rate" -> rate = number("rate", kv[1], 0, 10_000_000);
                default -> throw new IllegalArgumentException("unknown option '" + kv[0] + "' (size, window, rate)");
            }
        }
        Run r = new Run(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, to, count, size, window, rate, ctx.clock().millis());
        run = r;
        pump(r, ctx);
        if (rate > 0 && r.state == State.SENDING) {
            r.ticker = ctx.scheduleAtFixedRate(TICK, () -> pump(r, ctx));
        }
        ctx.log().info("stream run {}: {} messages of {} B to {} (window {}, rate {})", Long.toHexString(r.id), count, size, to,
                window, rate == 0 ? "unlimited" : rate + "/s");
        return "started run " + Long.toHexString(r.id) + ": " + count + " messages of " + size + " B to " + to + ", window "
                + window + ", rate " + (rate == 0 ? "unlimited" : rate + "/s");
    }

    private String status(EngineContext ctx) {
        Run r = run;
        if (r == null) {
            return "state=IDLE";
        }
        long elapsed = (r.endMillis >= 0 ? r.endMillis : ctx.clock().millis()) - r.startMillis;
        return "run=" + Long.toHexString(r.id) + " state=" + r.state + " to=" + r.to + " count=" + r.count + " sent=" + r.sent
                + " credited=" + r.credited + " refused=" + refusedText(r) + " elapsedMillis=" + elapsed;
    }

    private String stop(EngineContext ctx) {
        Run r = run;
        if (r == null || r.state != State.SENDING) {
            return "nothing to stop; " + status(ctx);
        }
        finish(r, State.STOPPED, ctx);
        return "stopped; " + status(ctx);
    }

    /** Sends what the window and the rate allow now. */
    private void pump(Run r, EngineContext ctx) {
        if (r.state != State.SENDING || run != r) {
            return;
        }
        long limit = r.count;
        if (r.rate > 0) {
            long elapsed = ctx.clock().millis() - r.startMillis;
            limit = Math.min(limit, Math.max(1, r.rate * elapsed / 1000));
        }
        while (r.sent < limit && r.sent - r.credited < r.window) {
            r.sent++;
            ctx.send(r.to, StreamData.TYPE, new StreamData(r.id, r.sent, r.size).encode());
        }
        if (r.sent == r.count && r.ticker != null) {
            r.ticker.cancel();
            r.ticker = null;
        }
    }

    private void credit(Envelope message, EngineContext ctx) {
        Run r = run;
        String[] parts = String.valueOf(message.payload()).trim().split(" ");
        if (r == null || parts.length != 2 || !parts[0].equals(Long.toHexString(r.id))) {
            ctx.log().debug("credit for another run ignored: {}", message.payload());
            return;
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
            finish(r, State.DONE, ctx);
            ctx.log().info("stream run {}: done, {} messages credited in {} ms", Long.toHexString(r.id), r.credited,
                    r.endMillis - r.startMillis);
        } else {
            pump(r, ctx);
        }
    }

    private static void finish(Run r, State state, EngineContext ctx) {
        r.state = state;
        r.endMillis = ctx.clock().millis();
        if (r.ticker != null) {
            r.ticker.cancel();
            r.ticker = null;
        }
    }

    private static String refusedText(Run r) {
        if (r.refused.isEmpty()) {
            return "none";
        }
        return r.refused.entrySet().stream().map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + ":" + e.getValue())
                .collect(Collectors.joining(","));
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
