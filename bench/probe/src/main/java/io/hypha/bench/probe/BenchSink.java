package io.hypha.bench.probe;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.engine.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Engine {@value #NAME}: the receiving end of the node-to-node throughput benchmark (bench/run-network.sh, workload
 * W1). It counts the {@link BenchData} messages of the current run (a message of another run starts a new tally),
 * times them where they arrive, and credits the {@link BenchSource} every {@code creditEvery} messages and at the last.
 *
 * <p>Timing: {@link System#nanoTime()} when the first message after the warm-up arrives ({@code firstNanos}) and when
 * the last one does ({@code lastNanos}); the benchmark computes messages per second from them. Both are taken on the
 * engine's turn, so they include the node's whole receiving path: transport, session, router and mailbox.
 *
 * <p>Text requests ({@code hypha:send bench-sink <text>}), each answered with one line of {@code name=value} pairs:
 * <pre>
 *   status          run state count received warmup duplicates outOfOrder corrupt firstNanos lastNanos
 *   await &lt;ms&gt;      the same, as soon as the run is DONE or after &lt;ms&gt; (1 to 50000), whichever comes first
 *   reset           forgets the run
 * </pre>
 * {@code await} lets a driver wait for a run with one command instead of polling the node while it is measured.
 */
@Component(service = Engine.class)
@EngineName(BenchSink.NAME)
public final class BenchSink implements Engine {
    /** The engine name. */
    public static final String NAME = "bench-sink";
    /** Message type of the credits: payload {@code "<run hex> <received>"}. */
    static final String CREDIT_TYPE = "bench.credit";
    /** Longest {@code await}, below the console's and the admin endpoint's command timeouts. */
    static final long MAX_AWAIT_MILLIS = 50_000;

    /** The tally of one run; touched on the engine's turn only. */
    private static final class Tally {
        final long run;
        final EngineAddress source;
        final long count;
        final long warmup;
        final long creditEvery;
        long received;
        long duplicates;
        long outOfOrder;
        long highest;
        long credited;
        long firstNanos;
        long lastNanos;

        Tally(BenchData first, EngineAddress source) {
            this.run = first.run();
            this.source = source;
            this.count = first.count();
            this.warmup = first.warmup();
            this.creditEvery = Math.max(1, first.creditEvery());
        }

        boolean done() {
            return received >= count;
        }
    }

    /** A console request waiting for the end of the run. */
    private record Waiter(Envelope request, Timer timer) {
    }

    private Tally tally;
    private long corrupt;
    private final List<Waiter> waiters = new ArrayList<>();

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        if (BenchData.TYPE.equals(message.type())) {
            receive(message, ctx);
        } else if (Commands.TEXT_TYPE.equals(message.type()) && !message.isReply()) {
            String[] words = String.valueOf(message.payload()).trim().split("\\s+");
            switch (words[0]) {
                case "status" -> ctx.reply(message, Commands.OK_TYPE, status());
                case "await" -> await(message, words, ctx);
                case "reset" -> {
                    tally = null;
                    corrupt = 0;
                    answerWaiters(ctx);
                    ctx.reply(message, Commands.OK_TYPE, "reset; " + status());
                }
                default -> ctx.reply(message, Commands.ERROR_TYPE, "unknown command '" + words[0]
                        + "'; use: status | await <ms> | reset");
            }
        } else {
            ctx.log().debug("ignored {}", message);
        }
    }

    @Override
    public void onStop(EngineContext ctx) {
        waiters.forEach(w -> w.timer().cancel());
        waiters.clear();
    }

    private void receive(Envelope message, EngineContext ctx) {
        BenchData data = BenchData.decode(message.payload());
        if (data == null || data.seq() < 1 || data.count() < 1) {
            corrupt++;
            return;
        }
        Tally t = tally;
        if (t == null || t.run != data.run()) {
            t = new Tally(data, message.src());
            tally = t;
            ctx.log().info("bench run {} from {}: receiving {} messages ({} warm-up)", Long.toHexString(t.run),
                    message.src(), t.count, t.warmup);
        }
        if (data.seq() <= t.highest) {
            t.duplicates++; // sessions deliver exactly once and in order: this would be a defect
            return;
        }
        if (data.seq() != t.highest + 1) {
            t.outOfOrder++;
        }
        t.highest = data.seq();
        t.received++;
        if (t.received == t.warmup + 1) {
            t.firstNanos = System.nanoTime();
        }
        if (t.received == t.count) {
            t.lastNanos = System.nanoTime();
        }
        if (t.received - t.credited >= t.creditEvery || t.done()) {
            t.credited = t.received;
            ctx.send(t.source, CREDIT_TYPE, Long.toHexString(t.run) + " " + t.received);
        }
        if (t.done()) {
            ctx.log().info("bench run {}: all {} messages received", Long.toHexString(t.run), t.received);
            answerWaiters(ctx);
        }
    }

    private void await(Envelope request, String[] words, EngineContext ctx) {
        long millis;
        try {
            millis = words.length == 2 ? Long.parseLong(words[1]) : -1;
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 1 || millis > MAX_AWAIT_MILLIS) {
            ctx.reply(request, Commands.ERROR_TYPE, "usage: await <ms> (1 to " + MAX_AWAIT_MILLIS + ")");
            return;
        }
        if (tally != null && tally.done()) {
            ctx.reply(request, Commands.OK_TYPE, status());
            return;
        }
        Waiter[] self = new Waiter[1];
        Timer timer = ctx.schedule(Duration.ofMillis(millis), () -> {
            if (waiters.remove(self[0])) {
                ctx.reply(request, Commands.OK_TYPE, status());
            }
        });
        self[0] = new Waiter(request, timer);
        waiters.add(self[0]);
    }

    private void answerWaiters(EngineContext ctx) {
        String status = status();
        for (Waiter w : waiters) {
            w.timer().cancel();
            ctx.reply(w.request(), Commands.OK_TYPE, status);
        }
        waiters.clear();
    }

    /** @return the status line */
    String status() {
        Tally t = tally;
        if (t == null) {
            return "run=none state=IDLE received=0 corrupt=" + corrupt;
        }
        return "run=" + Long.toHexString(t.run) + " state=" + (t.done() ? "DONE" : "RECEIVING") + " count=" + t.count
                + " received=" + t.received + " warmup=" + t.warmup + " duplicates=" + t.duplicates + " outOfOrder="
                + t.outOfOrder + " corrupt=" + corrupt + " firstNanos=" + t.firstNanos + " lastNanos=" + t.lastNanos;
    }
}
