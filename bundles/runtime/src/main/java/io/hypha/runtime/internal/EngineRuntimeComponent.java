package io.hypha.runtime.internal;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.LocalDelivery;
import io.hypha.api.router.Router;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine runtime as a Declarative Services component: one {@link EngineHost} for this node, registered as
 * {@link LocalDelivery}, {@link EngineDirectory} and {@link DeadLetterLog}. It collects {@link Engine} services from
 * the whiteboard by their {@link Engine#NAME} property and sends through the {@link Router} when one is present.
 *
 * <p>Activation is by constructor, so the host exists before DS binds any engine: there is no window in which
 * engines are bound to a component that is not active yet. Unbinds that come after {@link #deactivate()} (DS unbinds
 * dynamic references after deactivation) find the host closed and do nothing.
 *
 * <p>There is no static reference cycle with the router: the router needs {@link LocalDelivery} (mandatory), this
 * component takes the router optionally and dynamically.
 *
 * <p>A configuration change ({@code io.hypha.runtime}) is applied without restarting engines; see
 * {@link EngineHost#updateSettings}.
 */
@Component(service = {LocalDelivery.class, EngineDirectory.class, DeadLetterLog.class}, configurationPid = EngineRuntimeComponent.PID)
@Designate(ocd = EngineRuntimeComponent.Config.class)
public final class EngineRuntimeComponent implements LocalDelivery, EngineDirectory, DeadLetterLog {
    /** The configuration PID. */
    public static final String PID = "io.hypha.runtime";

    private static final Logger LOG = LoggerFactory.getLogger(EngineRuntimeComponent.class);

    /** The runtime's bounds. */
    @ObjectClassDefinition(id = PID, name = "Hypha engine runtime",
            description = "Bounds of the engine runtime: mailboxes, batching, hot-update grace period, dead letters, threads, idle spin.")
    public @interface Config {
        /** @return default mailbox bound */
        @AttributeDefinition(name = "Mailbox capacity", min = "1", max = "1073741824",
                description = "Default bound of each engine's mailbox, in messages (1 to 2^30). A message to a full mailbox "
                        + "is refused and dead-lettered as MAILBOX_FULL; senders never block. An engine may set its own bound "
                        + "with the service property hypha.engine.mailbox.capacity. Applies to mailboxes created after a change.")
        int mailboxCapacity() default RuntimeSettings.DEFAULT_MAILBOX_CAPACITY;

        /** @return messages per turn */
        @AttributeDefinition(name = "Batch size", min = "1",
                description = "How many messages one engine handles in a turn before its thread moves on to other engines. "
                        + "Larger batches raise throughput, smaller ones improve fairness between busy engines. Applies at once.")
        int batchSize() default RuntimeSettings.DEFAULT_BATCH_SIZE;

        /** @return hot-update grace period */
        @AttributeDefinition(name = "Grace period (ms)", min = "0",
                description = "How long messages for a stopped engine wait in its mailbox for an engine of the same name to "
                        + "come back (a bundle update), in milliseconds. After it they are dead-lettered as ENGINE_STOPPED. "
                        + "Applies to engines stopped after a change.")
        long graceMillis() default RuntimeSettings.DEFAULT_GRACE_MILLIS;

        /** @return dead letters kept */
        @AttributeDefinition(name = "Dead letters kept", min = "0",
                description = "How many recent dead letters are kept for the console (0 keeps none; all are counted by "
                        + "reason). Takes effect when the runtime restarts.")
        int deadLetterCapacity() default RuntimeSettings.DEFAULT_DEAD_LETTER_CAPACITY;

        /** @return executor threads, 0 for one per processor */
        @AttributeDefinition(name = "Threads", min = "0", max = "32767",
                description = "Threads of the shared executor that runs engines; 0 means one per available processor. "
                        + "Takes effect when the runtime restarts.")
        int threads() default 0;

        /** @return how long stopping an engine waits for its current message */
        @AttributeDefinition(name = "Stop timeout (ms)", min = "0",
                description = "How long unregistering an engine waits for the message it is handling to finish, in "
                        + "milliseconds; after it, unregistering goes on and the engine gets onStop when the message is "
                        + "done. Applies at once.")
        long stopTimeoutMillis() default RuntimeSettings.DEFAULT_STOP_TIMEOUT_MILLIS;

        /** @return how long a thread waits for more work for the engine it just ran before it goes idle */
        @AttributeDefinition(name = "Idle spin (microseconds)", min = "0", max = "10000",
                description = "How long an executor thread whose engine has just run out of messages keeps watching that "
                        + "engine's mailbox (busy-waiting) before it gives the thread back, in microseconds (0 to 10000; 0 "
                        + "never waits). A message arriving meanwhile is handled at once and its sender need not wake a "
                        + "thread: this lowers request/reply latency and raises throughput when a sender is slower than "
                        + "its receiver. The cost is CPU: at most this long after each burst of work, by at most half the "
                        + "threads at a time, and never while other work waits; an idle node spins not at all. Applies at once.")
        int idleSpinMicros() default RuntimeSettings.DEFAULT_IDLE_SPIN_MICROS;
    }

    private final EngineHost host;
    private final AtomicReference<LazyRouter> router = new AtomicReference<>();
    private final Map<ServiceReference<Engine>, String> names = new ConcurrentHashMap<>();

    /**
     * Starts the host.
     *
     * @param config   the bounds
     * @param identity this node's identity
     */
    @Activate
    public EngineRuntimeComponent(Config config, @Reference NodeIdentity identity) {
        this.host = new EngineHost(settings(config), identity.id(), InstantSource.system());
        LOG.info("node {}: engine runtime started ({})", identity.id().shortForm(), host.settings());
    }

    /** @param config the changed bounds */
    @Modified
    void modified(Config config) {
        host.updateSettings(settings(config));
    }

    /** Stops every engine and the threads. */
    @Deactivate
    void deactivate() {
        host.close();
    }

    /** Turns the configuration into settings; out-of-range values fall back to the defaults, with a warning. */
    static RuntimeSettings settings(Config config) {
        int threads = config.threads() <= 0 ? Runtime.getRuntime().availableProcessors() : config.threads();
        try {
            return new RuntimeSettings(config.mailboxCapacity(), config.batchSize(), config.graceMillis(),
                    config.deadLetterCapacity(), threads, config.stopTimeoutMillis(), config.idleSpinMicros());
        } catch (IllegalArgumentException e) {
            LOG.error("configuration {} is invalid ({}); using the defaults", PID, e.getMessage());
            return RuntimeSettings.defaults();
        }
    }

    // ---------------------------------------------------------------- router

    /**
     * Binds the router with the highest ranking without fetching it yet (see {@link LazyRouter}: fetching it here
     * would be a service cycle, since the router needs this runtime).
     *
     * @param r the router's service objects
     */
    @Reference(service = Router.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRouter")
    void bindRouter(ComponentServiceObjects<Router> r) {
        LazyRouter lazy = new LazyRouter(r);
        LazyRouter old = router.getAndSet(lazy);
        host.setRouter(lazy);
        if (old != null) {
            old.release();
        }
    }

    /** @param r a router going away; only clears it if it is the one in use (greedy binds the new one first) */
    void unbindRouter(ComponentServiceObjects<Router> r) {
        LazyRouter current = router.get();
        if (current != null && current.objects() == r && router.compareAndSet(current, null)) {
            host.setRouter(null);
            current.release();
        }
    }

    // ---------------------------------------------------------------- engines (whiteboard)

    /**
     * @param ref    the engine's service reference
     * @param engine the engine
     */
    @Reference(service = Engine.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindEngine", updated = "updatedEngine")
    void bindEngine(ServiceReference<Engine> ref, Engine engine) {
        String name = nameOf(ref, engine);
        if (name == null) {
            return;
        }
        names.put(ref, name);
        host.register(name, engine, properties(ref));
    }

    /**
     * Its properties changed: a new name means stopping under the old name and starting under the new one.
     *
     * @param ref    the engine's service reference
     * @param engine the engine
     */
    void updatedEngine(ServiceReference<Engine> ref, Engine engine) {
        String old = names.get(ref);
        Object now = ref.getProperty(Engine.NAME);
        if (old != null && old.equals(now)) {
            return;
        }
        unbindEngine(ref, engine);
        bindEngine(ref, engine);
    }

    /**
     * @param ref    the engine's service reference
     * @param engine the engine
     */
    void unbindEngine(ServiceReference<Engine> ref, Engine engine) {
        String name = names.remove(ref);
        if (name != null) {
            host.unregister(name, engine);
        }
    }

    private static String nameOf(ServiceReference<Engine> ref, Engine engine) {
        Object value = ref.getProperty(Engine.NAME);
        if (!(value instanceof String name)) {
            LOG.error("engine service {} ({}) has no {} property of type String (found {}); it is ignored. "
                    + "Annotate the component with @EngineName(\"...\")", ref.getProperty("service.id"),
                    engine.getClass().getName(), Engine.NAME, value);
            return null;
        }
        try {
            EngineAddress.checkEngineName(name);
            return name;
        } catch (IllegalArgumentException e) {
            LOG.error("engine service {} ({}) is ignored: {}", ref.getProperty("service.id"), engine.getClass().getName(),
                    e.getMessage());
            return null;
        }
    }

    private static Map<String, Object> properties(ServiceReference<Engine> ref) {
        Map<String, Object> props = new HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            props.put(key, ref.getProperty(key));
        }
        Bundle bundle = ref.getBundle();
        if (bundle != null && bundle.getSymbolicName() != null) {
            props.put(EngineHost.BUNDLE_PROPERTY, bundle.getSymbolicName());
        }
        return props;
    }

    // ---------------------------------------------------------------- services, delegated

    /** @return the host, for tests */
    EngineHost host() {
        return host;
    }

    @Override
    public long nextMessageId() {
        return host.nextMessageId();
    }

    @Override
    public void deliver(Envelope envelope) {
        host.deliver(envelope);
    }

    @Override
    public DeliveryFailure offer(Envelope envelope) {
        return host.offer(envelope);
    }

    @Override
    public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
        host.undeliverable(envelope, failure, detail);
    }

    @Override
    public List<EngineInfo> engines() {
        return host.engines();
    }

    @Override
    public List<DeadLetter> recent(int limit) {
        return host.recent(limit);
    }

    @Override
    public Map<DeliveryFailure, Long> counts() {
        return host.counts();
    }
}
