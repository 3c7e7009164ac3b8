package io.hypha.relay.internal.engine;

import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Carries the messages the test nodes' relay engines send to each other, as the router and transport would: in order
 * per pair, exactly once, and not at all to a node that is {@link #down}. Messages to other engines or unknown nodes are
 * kept in {@link #elsewhere}.
 */
final class Mesh {
    final ManualClock clock;
    final List<TestNode> nodes = new ArrayList<>();
    final Set<NodeId> down = new HashSet<>();
    final List<Envelope> lost = new ArrayList<>();
    final List<Envelope> elsewhere = new ArrayList<>();

    Mesh(ManualClock clock) {
        this.clock = clock;
    }

    TestNode add(TestNode node) {
        nodes.removeIf(n -> n.id.equals(node.id));
        nodes.add(node);
        return node;
    }

    /** Fires due timers and carries messages until nothing moves. */
    void pump() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (TestNode n : List.copyOf(nodes)) {
                if (n.harness.isStopped()) {
                    continue;
                }
                progress |= n.harness.runDue() > 0;
                for (Envelope e : n.harness.takeSent()) {
                    progress = true;
                    route(e);
                }
            }
        }
    }

    private void route(Envelope e) {
        NodeId to = e.dst().node();
        TestNode target = nodes.stream().filter(n -> n.id.equals(to)).findFirst().orElse(null);
        if (target == null || !RelayEngine.NAME.equals(e.dst().engine())) {
            elsewhere.add(e);
        } else if (down.contains(to) || target.harness.isStopped()) {
            lost.add(e);
        } else {
            target.harness.deliver(e);
        }
    }

    /** Moves time for every node, then pumps. */
    void advance(Duration d) {
        clock.advance(d);
        pump();
    }

    /** Pumps until the condition holds (store commits complete on the store's thread), with a deadline. */
    void awaitUntil(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            pump();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 20 s: " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    /**
     * Like {@link #awaitUntil}, but moves time a tick forward between tries, for work that the engines' timers start
     * (expiry) after an asynchronous step of the store.
     */
    void awaitAdvancing(String what, BooleanSupplier condition) {
        awaitUntil(what, () -> {
            if (condition.getAsBoolean()) {
                return true;
            }
            clock.advance(RelaySettings.DEFAULT_TICK);
            return false;
        });
    }

    /** @return the snapshot of a node's engine, taken on its turn */
    RelaySnapshot snapshot(TestNode node) {
        var stage = node.engine.snapshot().toCompletableFuture();
        pump();
        return stage.join();
    }
}
