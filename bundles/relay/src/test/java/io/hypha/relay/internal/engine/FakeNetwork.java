package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.transport.Network;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A network view the test drives: who is connected, and dials that succeed or fail as the test says. */
final class FakeNetwork implements Network {
    private final NodeId self;
    final Set<NodeId> connected = ConcurrentHashMap.newKeySet();
    final List<URI> dialled = new ArrayList<>();
    final List<CompletableFuture<NodeId>> dials = new ArrayList<>();

    FakeNetwork(NodeId self) {
        this.self = self;
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public List<URI> listening() {
        return List.of();
    }

    @Override
    public Set<NodeId> connected() {
        return Set.copyOf(connected);
    }

    @Override
    public boolean knows(NodeId node) {
        return connected.contains(node);
    }

    @Override
    public CompletionStage<Void> learn(NodeId node, List<TransportAddress> addresses) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<NodeId> connect(URI address) {
        dialled.add(address);
        CompletableFuture<NodeId> dial = new CompletableFuture<>();
        dials.add(dial);
        return dial;
    }

    synchronized CompletableFuture<NodeId> lastDial() {
        return dials.get(dials.size() - 1);
    }
}
