package io.hypha.console.internal;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.Timer;
import io.hypha.features.FeatureChange;
import io.hypha.features.FeatureException;
import io.hypha.features.FeatureInfo;
import io.hypha.features.FeatureService;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small hand-written fakes of the services the console uses. */
final class Fakes {
    private Fakes() {
    }

    static NodeId node(int seed) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) seed);
        return NodeId.of(key);
    }

    /** An engine context whose requests are recorded and answered by the test through {@link #pending}. */
    static final class Context implements EngineContext {
        record Request(EngineAddress to, String type, Object payload, Duration timeout) {
        }

        final List<Request> requests = new ArrayList<>();
        final CompletableFuture<Envelope> pending = new CompletableFuture<>();
        private final NodeId node = Fakes.node(1);

        @Override public EngineAddress self() { return EngineAddress.of(node, ConsoleEngine.NAME); }
        @Override public NodeId node() { return node; }
        @Override public void send(EngineAddress to, String type, Object payload) { throw new UnsupportedOperationException(); }
        @Override public void send(EngineAddress to, String type, Object payload, Duration ttl) { throw new UnsupportedOperationException(); }

        @Override
        public synchronized CompletionStage<Envelope> request(EngineAddress to, String type, Object payload, Duration timeout) {
            requests.add(new Request(to, type, payload, timeout));
            return pending;
        }

        @Override public void reply(Envelope request, String type, Object payload) { throw new UnsupportedOperationException(); }
        @Override public Timer schedule(Duration delay, Runnable action) { throw new UnsupportedOperationException(); }
        @Override public Timer scheduleAtFixedRate(Duration period, Runnable action) { throw new UnsupportedOperationException(); }
        @Override public InstantSource clock() { return InstantSource.system(); }
        @Override public Logger log() { return LoggerFactory.getLogger("test.console"); }
    }

    /** A feature service that records calls and answers with a fixed change or failure. */
    static final class Features implements FeatureService {
        record Call(String op, String name, boolean dryRun) {
        }

        final List<Call> calls = new ArrayList<>();
        List<FeatureInfo> features = List.of();
        FeatureException failure;

        @Override
        public List<FeatureInfo> features() {
            return features;
        }

        @Override
        public FeatureChange install(String name, boolean dryRun) throws FeatureException {
            return answer("install", name, dryRun);
        }

        @Override
        public FeatureChange uninstall(String name, boolean dryRun) throws FeatureException {
            return answer("uninstall", name, dryRun);
        }

        private FeatureChange answer(String op, String name, boolean dryRun) throws FeatureException {
            calls.add(new Call(op, name, dryRun));
            if (failure != null) {
                throw failure;
            }
            return op.equals("install")
                    ? new FeatureChange(name, List.of("a 1.0.0"), List.of("a 1.0.0"), List.of(), List.of(), !dryRun)
                    : new FeatureChange(name, List.of(), List.of(), List.of("a 1.0.0"), List.of("a 1.0.0"), !dryRun);
        }
    }
}
