package io.hypha.runtime.internal;

import static io.hypha.runtime.internal.TestSupport.NODE;
import static io.hypha.runtime.internal.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineInfo;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.router.Router;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.component.ComponentServiceObjects;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

class EngineRuntimeComponentTest {
    private final EngineRuntimeComponent component = new EngineRuntimeComponent(config(16384, 2), identity());

    @AfterEach
    void deactivate() {
        component.deactivate();
    }

    @Test
    void hostsEnginesFromTheWhiteboardUnderTheirNameProperty() {
        TestSupport.RecordingEngine echo = new TestSupport.RecordingEngine();
        component.bindEngine(ref(Map.of(Engine.NAME, "echo", Engine.MAILBOX_CAPACITY, 8), "com.example.echo"), echo);
        component.deliver(Envelope.builder().dst(EngineAddress.local("echo")).id(component.nextMessageId()).type("t")
                .payload("hi").build());
        await("delivered", () -> echo.payloads.size() == 1);
        assertThat(component.engines()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("echo");
            assertThat(i.bundle()).isEqualTo("com.example.echo");
            assertThat(i.capacity()).isEqualTo(8);
            assertThat(i.state()).isEqualTo(EngineInfo.State.RUNNING);
        });
    }

    @Test
    void ignoresEnginesWithoutAValidName() {
        component.bindEngine(ref(Map.of(), "b"), new TestSupport.RecordingEngine());
        component.bindEngine(ref(Map.of(Engine.NAME, 42), "b"), new TestSupport.RecordingEngine());
        component.bindEngine(ref(Map.of(Engine.NAME, "has space"), "b"), new TestSupport.RecordingEngine());
        assertThat(component.engines()).isEmpty();
    }

    @Test
    void suspendsAnEngineWhoseServiceGoesAway() {
        TestSupport.RecordingEngine echo = new TestSupport.RecordingEngine();
        ServiceReference<Engine> ref = ref(Map.of(Engine.NAME, "echo"), "b");
        component.bindEngine(ref, echo);
        component.unbindEngine(ref, echo);
        assertThat(echo.events).containsExactly("start", "stop");
        assertThat(component.engines()).extracting(EngineInfo::state).containsExactly(EngineInfo.State.SUSPENDED);
    }

    @Test
    void movesAnEngineWhoseNameChanges() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        ServiceReference<Engine> ref = ref(Map.of(Engine.NAME, "one"), "b");
        component.bindEngine(ref, engine);
        when(ref.getProperty(Engine.NAME)).thenReturn("two");
        component.updatedEngine(ref, engine);
        assertThat(component.engines()).extracting(EngineInfo::name, EngineInfo::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("one", EngineInfo.State.SUSPENDED),
                org.assertj.core.groups.Tuple.tuple("two", EngineInfo.State.RUNNING));
    }

    @Test
    void sendsThroughTheBoundRouterAndKeepsTheReplacementWhenTheOldOneIsUnbound() {
        List<String> routedBy = new CopyOnWriteArrayList<>();
        ComponentServiceObjects<Router> first = objects(router("first", routedBy));
        ComponentServiceObjects<Router> second = objects(router("second", routedBy));
        component.bindRouter(first);
        component.bindRouter(second);
        component.unbindRouter(first);
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        component.bindEngine(ref(Map.of(Engine.NAME, "e"), "b"), engine);
        await("started", () -> engine.context.get() != null);
        engine.context.get().send(EngineAddress.local("e"), "t", "x");
        assertThat(routedBy).containsExactly("second");
        component.unbindRouter(second);
        engine.context.get().send(EngineAddress.of(TestSupport.OTHER_NODE, "e"), "t", "x");
        assertThat(component.counts()).containsEntry(DeliveryFailure.NO_ROUTE, 1L);
    }

    @Test
    void fallsBackToDefaultsForAnInvalidConfiguration() {
        assertThat(EngineRuntimeComponent.settings(config(0, 2))).isEqualTo(RuntimeSettings.defaults());
        assertThat(EngineRuntimeComponent.settings(config(100, 0)).threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(EngineRuntimeComponent.settings(config(100, 2, -1))).isEqualTo(RuntimeSettings.defaults());
        assertThat(EngineRuntimeComponent.settings(config(100, 2, 20_000))).isEqualTo(RuntimeSettings.defaults());
    }

    @Test
    void appliesTheConfiguredIdleSpin() {
        assertThat(EngineRuntimeComponent.settings(config(100, 2, 0)).idleSpinMicros()).isZero();
        assertThat(EngineRuntimeComponent.settings(config(100, 2, 250)).idleSpinMicros()).isEqualTo(250);
        component.modified(config(100, 2, 7));
        assertThat(component.host().settings().idleSpinMicros()).isEqualTo(7);
    }

    @Test
    void appliesAChangedConfigurationWithoutRestartingEngines() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        component.bindEngine(ref(Map.of(Engine.NAME, "e"), "b"), engine);
        await("started", () -> engine.context.get() != null);
        component.modified(config(100, 2));
        assertThat(component.host().settings().mailboxCapacity()).isEqualTo(100);
        assertThat(engine.events).containsExactly("start");
    }

    @Test
    void ignoresUnbindsAfterDeactivation() {
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        ServiceReference<Engine> ref = ref(Map.of(Engine.NAME, "e"), "b");
        component.bindEngine(ref, engine);
        component.deactivate();
        component.unbindEngine(ref, engine);
        assertThat(engine.events).containsExactly("start", "stop");
    }

    @Test
    void fetchesTheRouterOnlyWhenAnEngineFirstSendsAndReleasesItOnUnbind() {
        AtomicInteger gets = new AtomicInteger();
        AtomicInteger ungets = new AtomicInteger();
        Router router = router("r", new CopyOnWriteArrayList<>());
        ComponentServiceObjects<Router> objects = new ComponentServiceObjects<>() {
            @Override
            public Router getService() {
                gets.incrementAndGet();
                return router;
            }

            @Override
            public void ungetService(Router service) {
                ungets.incrementAndGet();
            }

            @Override
            public ServiceReference<Router> getServiceReference() {
                return null;
            }
        };
        component.bindRouter(objects);
        assertThat(gets).hasValue(0);
        TestSupport.RecordingEngine engine = new TestSupport.RecordingEngine();
        component.bindEngine(ref(Map.of(Engine.NAME, "e"), "b"), engine);
        await("started", () -> engine.context.get() != null);
        engine.context.get().send(EngineAddress.local("e"), "t", "x");
        engine.context.get().send(EngineAddress.local("e"), "t", "y");
        assertThat(gets).hasValue(1);
        component.unbindRouter(objects);
        assertThat(ungets).hasValue(1);
    }

    private static ComponentServiceObjects<Router> objects(Router router) {
        return new ComponentServiceObjects<>() {
            @Override
            public Router getService() {
                return router;
            }

            @Override
            public void ungetService(Router service) {
            }

            @Override
            public ServiceReference<Router> getServiceReference() {
                return null;
            }
        };
    }

    private static Router router(String name, List<String> log) {
        return new Router() {
            @Override
            public NodeId localNode() {
                return NODE;
            }

            @Override
            public long nextMessageId() {
                return 1;
            }

            @Override
            public void route(Envelope envelope) {
                log.add(name);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static ServiceReference<Engine> ref(Map<String, Object> props, String bsn) {
        ServiceReference<Engine> ref = mock(ServiceReference.class);
        when(ref.getPropertyKeys()).thenReturn(props.keySet().toArray(String[]::new));
        props.forEach((k, v) -> when(ref.getProperty(k)).thenReturn(v));
        Bundle bundle = mock(Bundle.class);
        when(bundle.getSymbolicName()).thenReturn(bsn);
        when(ref.getBundle()).thenReturn(bundle);
        return ref;
    }

    private static NodeIdentity identity() {
        return new NodeIdentity() {
            @Override
            public NodeId id() {
                return NODE;
            }

            @Override
            public byte[] sign(String context, byte[] message) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static EngineRuntimeComponent.Config config(int capacity, int threads) {
        return config(capacity, threads, RuntimeSettings.DEFAULT_IDLE_SPIN_MICROS);
    }

    private static EngineRuntimeComponent.Config config(int capacity, int threads, int idleSpinMicros) {
        return new EngineRuntimeComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return EngineRuntimeComponent.Config.class;
            }

            @Override
            public int mailboxCapacity() {
                return capacity;
            }

            @Override
            public int batchSize() {
                return 64;
            }

            @Override
            public long graceMillis() {
                return 10_000;
            }

            @Override
            public int deadLetterCapacity() {
                return 1000;
            }

            @Override
            public int threads() {
                return threads;
            }

            @Override
            public long stopTimeoutMillis() {
                return 2000;
            }

            @Override
            public int idleSpinMicros() {
                return idleSpinMicros;
            }
        };
    }
}
