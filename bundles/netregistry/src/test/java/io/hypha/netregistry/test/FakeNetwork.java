package io.hypha.netregistry.test;

import io.hypha.api.NodeId;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.transport.Network;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Network} the test drives: who is connected, which nodes the "Transport engine" knows, and every learn and
 * dial recorded. Learns complete at once unless {@link #holdLearns} is set; dials wait for the test.
 */
public final class FakeNetwork implements Network {
    /** One call of {@link #learn}. */
    public record Learned(NodeId node, List<TransportAddress> addresses) {
    }

    /** One call of {@link #connect}, completed by the test. */
    public record Dial(URI address, CompletableFuture<NodeId> result) {
    }

    private final NodeId self;
    private List<URI> listening = List.of();
    private final Set<NodeId> connected = new LinkedHashSet<>();
    private final Set<NodeId> known = new LinkedHashSet<>();
    private final List<Learned> learned = new ArrayList<>();
    private final List<CompletableFuture<Void>> heldLearns = new ArrayList<>();
    private final List<Dial> dials = new ArrayList<>();
    private boolean holdLearns;

    public FakeNetwork(NodeId self) {
        this.self = self;
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public synchronized List<URI> listening() {
        return listening;
    }

    public synchronized void listening(List<URI> addresses) {
        listening = List.copyOf(addresses);
    }

    @Override
    public synchronized Set<NodeId> connected() {
        return Set.copyOf(connected);
    }

    public synchronized void connect(NodeId peer) {
        connected.add(peer);
        known.add(peer);
    }

    public synchronized void disconnect(NodeId peer) {
        connected.remove(peer);
    }

    @Override
    public synchronized boolean knows(NodeId node) {
        return known.contains(node);
    }

    public synchronized void know(NodeId node) {
        known.add(node);
    }

    public synchronized void forget(NodeId node) {
        known.remove(node);
    }

    @Override
    public synchronized CompletionStage<Void> learn(NodeId node, List<TransportAddress> addresses) {
        learned.add(new Learned(node, List.copyOf(addresses)));
        if (holdLearns) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            heldLearns.add(f);
            return f.thenRun(() -> know(node));
        }
        known.add(node);
        return CompletableFuture.completedFuture(null);
    }

    /** @param hold whether learns wait for {@link #completeLearns} */
    public synchronized void holdLearns(boolean hold) {
        holdLearns = hold;
    }

    /** Completes the learns that wait. */
    public void completeLearns() {
        List<CompletableFuture<Void>> all;
        synchronized (this) {
            all = List.copyOf(heldLearns);
            heldLearns.clear();
        }
        all.forEach(f -> f.complete(null));
    }

    /** Fails the learns that wait. */
    public void failLearns(Throwable cause) {
        List<CompletableFuture<Void>> all;
        synchronized (this) {
            all = List.copyOf(heldLearns);
            heldLearns.clear();
        }
        all.forEach(f -> f.completeExceptionally(cause));
    }

    public synchronized List<Learned> learned() {
        return List.copyOf(learned);
    }

    @Override
    public synchronized CompletionStage<NodeId> connect(URI address) {
        Dial dial = new Dial(address, new CompletableFuture<>());
        dials.add(dial);
        return dial.result();
    }

    public synchronized List<Dial> dials() {
        return List.copyOf(dials);
    }
}
