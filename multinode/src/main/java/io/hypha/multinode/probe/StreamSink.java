package io.hypha.multinode.probe;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import io.hypha.api.engine.Timer;
import java.time.Duration;
import java.util.BitSet;
import org.osgi.service.component.annotations.Component;

/**
 * Engine {@value #NAME}: receives the stream of a {@link StreamSource} and checks it. For the current run (a message
 * of another run starts a new tally) it counts distinct messages, duplicates, messages out of order (any that is not
 * exactly the next number), damaged payloads, and, from the highest number seen, the missing ones. It credits the
 * source with the number of distinct messages received (every {@value #CREDIT_EVERY}, and a moment after the last).
 *
 * <p>Text requests ({@code hypha:send stream-sink <text>}): {@code status} answers one line of {@code name=value}
 * pairs ({@code run received highest duplicates outOfOrder missing firstMissing corrupt}: {@code firstMissing} is the
 * lowest number below the highest that has not arrived, 0 if none); {@code reset} forgets the run.
 */
@Component(service = Engine.class)
@EngineName(StreamSink.NAME)
public final class StreamSink implements Engine {
    /** The engine name. */
    public static final String NAME = "stream-sink";
    /** Credit after this many new messages. */
    static final int CREDIT_EVERY = 256;
    /** Credit what arrived since the last credit this long after it arrived, so the end of a run is credited too. */
    static final Duration CREDIT_DELAY = Duration.ofMillis(20);

    /** The tally of one run; touched on the engine's turn only. */
    private static final class Tally {
        final long run;
        final EngineAddress source;
        final BitSet seen = new BitSet();
        long received;
        long highest;
        long duplicates;
        long outOfOrder;
        long corrupt;
        long credited;
        Timer flush;

        Tally(long run, EngineAddress source) {
            this.run = run;
            this.source = source;
        }
    }

    private Tally tally;
    /** Damaged payloads seen while no run was known (they carry no trustworthy run id). */
    private long strayCorrupt;

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        if (StreamData.TYPE.equals(message.type())) {
            receive(message, ctx);
        } else if (StreamSource.TEXT_TYPE.equals(message.type()) && !message.isReply()) {
            String text = String.valueOf(message.payload()).trim();
            switch (text) {
                case "status" -> ctx.reply(message, StreamSource.OK_TYPE, status());
                case "reset" -> {
                    cancelFlush();
                    tally = null;
                    strayCorrupt = 0;
                    ctx.reply(message, StreamSource.OK_TYPE, "reset; " + status());
                }
                default -> ctx.reply(message, StreamSource.ERROR_TYPE, "unknown command '" + text + "'; use: status | reset");
            }
        } else {
            ctx.log().debug("ignored {}", message);
        }
    }

    @Override
    public void onStop(EngineContext ctx) {
        cancelFlush();
    }

    private void receive(Envelope message, EngineContext ctx) {
        StreamData data = StreamData.decode(message.payload());
        if (data == null || data.seq() < 1 || data.seq() > StreamSource.MAX_COUNT) {
            if (tally != null) {
                tally.corrupt++;
            } else {
                strayCorrupt++;
            }
            return;
        }
        Tally t = tally;
        if (t == null || t.run != data.run()) {
            cancelFlush();
            t = new Tally(data.run(), message.src());
            tally = t;
            ctx.log().info("stream run {} from {}: receiving", Long.toHexString(data.run()), message.src());
        }
        int seq = (int) data.seq();
        if (t.seen.get(seq)) {
            t.duplicates++;
            return;
        }
        t.seen.set(seq);
        t.received++;
        if (seq != t.highest + 1) {
            t.outOfOrder++;
        }
        t.highest = Math.max(t.highest, seq);
        if (t.received - t.credited >= CREDIT_EVERY) {
            credit(t, ctx);
        } else if (t.flush == null) {
            Tally current = t;
            t.flush = ctx.schedule(CREDIT_DELAY, () -> {
                current.flush = null;
                if (tally == current && current.received > current.credited) {
                    credit(current, ctx);
                }
            });
        }
    }

    private static void credit(Tally t, EngineContext ctx) {
        t.credited = t.received;
        if (t.source != null) {
            ctx.send(t.source, StreamSource.CREDIT_TYPE, Long.toHexString(t.run) + " " + t.received);
        }
    }

    private void cancelFlush() {
        if (tally != null && tally.flush != null) {
            tally.flush.cancel();
            tally.flush = null;
        }
    }

    /** @return the {@code status} line */
    String status() {
        Tally t = tally;
        if (t == null) {
            return "run=none received=0 highest=0 duplicates=0 outOfOrder=0 missing=0 corrupt=" + strayCorrupt;
        }
        int firstMissing = t.seen.nextClearBit(1);
        return "run=" + Long.toHexString(t.run) + " from=" + t.source + " received=" + t.received + " highest=" + t.highest
                + " duplicates=" + t.duplicates + " outOfOrder=" + t.outOfOrder + " missing=" + (t.highest - t.received)
                + " firstMissing=" + (firstMissing < t.highest ? firstMissing : 0) + " corrupt=" + (t.corrupt + strayCorrupt);
    }
}
