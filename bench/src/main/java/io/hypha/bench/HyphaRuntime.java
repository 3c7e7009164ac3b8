package io.hypha.bench;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.runtime.internal.EngineHost;
import io.hypha.runtime.internal.RuntimeSettings;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hypha's engine runtime without OSGi: one {@link EngineHost} with the default {@link RuntimeSettings} (a
 * fork-join pool of one thread per core, batches of 64, idle spin of 50 µs), engines registered by name as the runtime component
 * registers whiteboard engines.
 *
 * <p>Benchmark threads talk through an engine's {@link EngineContext}, the path engines use: a one-way send is
 * {@code ctx.send(to, type, payload)} from a "sender" engine's context, a request is
 * {@code ctx.request(...).toCompletableFuture().get()} from a "client" engine's context (both thread-safe; the
 * benchmark thread calls them from outside the engine's turn). No router is set, so the host delivers local
 * destinations itself; the router bundle would add one volatile read and an interface call per message.
 *
 * <p>The counting receiver's mailbox is bounded at {@link #RECEIVER_CAPACITY}, above the most messages any
 * workload has in flight (100,000), so no send is ever refused; refusals would be counted and fail the trial.
 */
final class HyphaRuntime implements ActorRuntime {
    /** Mailbox bound of the counting receiver: the next power of two above the 100,000 messages in flight. */
    static final int RECEIVER_CAPACITY = 1 << 17;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final EngineHost host;

    HyphaRuntime() {
        byte[] key = new byte[NodeId.LENGTH];
        new SecureRandom().nextBytes(key);
        host = new EngineHost(RuntimeSettings.defaults(), NodeId.of(key), InstantSource.system());
    }

    /** @return the executor threads the runtime starts by default (Pekko is given as many) */
    static int defaultThreads() {
        return RuntimeSettings.defaults().threads();
    }

    /** @return how this side is set up, for the report */
    static String setup() {
        RuntimeSettings d = RuntimeSettings.defaults();
        return "EngineHost with default settings (fork-join pool of " + d.threads() + " threads, batch " + d.batchSize()
                + ", idle spin " + d.idleSpinMicros() + " µs), no router (the host delivers local messages itself), receiver mailbox bounded at "
                + RECEIVER_CAPACITY + "; senders call EngineContext.send from the benchmark thread; requests use"
                + " EngineContext.request(...).toCompletableFuture().get()";
    }

    @Override
    public Sender countingReceiver(BatchSignal signal) {
        EngineAddress to = EngineAddress.local("bench-counter");
        host.register(to.engine(), (Engine) (message, ctx) -> signal.onMessage(((Token) message.payload()).sender()),
                Map.of(Engine.MAILBOX_CAPACITY, RECEIVER_CAPACITY));
        EngineContext sender = contextOf("bench-sender");
        return token -> sender.send(to, Token.TYPE, token);
    }

    @Override
    public Requester echo() {
        EngineAddress to = EngineAddress.local("bench-echo");
        host.register(to.engine(), (Engine) (message, ctx) -> ctx.reply(message, Token.TYPE, message.payload()), Map.of());
        EngineContext client = contextOf("bench-client");
        return token -> client.request(to, Token.TYPE, token, REQUEST_TIMEOUT).toCompletableFuture().get().payload();
    }

    @Override
    public long failures() {
        return host.counts().values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void close() {
        host.close();
    }

    /** Registers an engine that only lends its context to the benchmark thread, and waits for its start. */
    private EngineContext contextOf(String name) {
        CompletableFuture<EngineContext> started = new CompletableFuture<>();
        host.register(name, new Engine() {
            @Override
            public void onStart(EngineContext ctx) {
                started.complete(ctx);
            }

            @Override
            public void onMessage(Envelope message, EngineContext ctx) {
                // Receives nothing: replies to its requests complete their futures instead.
            }
        }, Map.of());
        try {
            return started.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("engine " + name + " did not start", e);
        }
    }
}
