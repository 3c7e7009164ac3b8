package io.hypha.itests;

import io.hypha.api.DeadLetter;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * An engine the test registers itself, through the whiteboard like any plugin, to talk to the engines under test.
 * It records everything the runtime hands it (messages, undeliverable notices) in thread-safe collections; the test
 * thread sends through the {@link EngineContext} it got in {@link #onStart}, which the API allows from any thread.
 */
public final class ProbeEngine implements Engine {
    private final CompletableFuture<EngineContext> context = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Envelope> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<DeadLetter> undeliverable = new ConcurrentLinkedQueue<>();
    private volatile ServiceRegistration<Engine> registration;

    /**
     * Registers a new probe engine and waits until the runtime has started it.
     *
     * @param bundleContext    the test's bundle context
     * @param name             the engine name
     * @param mailboxCapacity  its mailbox bound, or 0 for the runtime's default
     * @return the started engine
     */
    public static ProbeEngine register(BundleContext bundleContext, String name, int mailboxCapacity) {
        ProbeEngine engine = new ProbeEngine();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Engine.NAME, name);
        if (mailboxCapacity > 0) {
            props.put(Engine.MAILBOX_CAPACITY, mailboxCapacity);
        }
        engine.registration = bundleContext.registerService(Engine.class, engine, props);
        engine.context(Await.DEFAULT);
        return engine;
    }

    @Override
    public void onStart(EngineContext ctx) {
        context.complete(ctx);
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        received.add(message);
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        undeliverable.add(letter);
    }

    /**
     * @param timeout how long to wait for the runtime to start this engine
     * @return the context the runtime gave this engine
     */
    public EngineContext context(Duration timeout) {
        try {
            return context.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the engine runtime did not start the probe engine within " + timeout, e);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the context; {@link #register} returns only once the engine has it */
    public EngineContext ctx() {
        return context.join();
    }

    /** @return messages received so far, in arrival order */
    public List<Envelope> received() {
        return List.copyOf(received);
    }

    /** @return how many messages were received so far */
    public int receivedCount() {
        return received.size();
    }

    /** @return undeliverable notices received so far */
    public List<DeadLetter> undeliverable() {
        return List.copyOf(undeliverable);
    }

    /** Unregisters the engine service (idempotent). */
    public void unregister() {
        ServiceRegistration<Engine> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the probe bundle stopped first
            }
        }
    }
}
