package io.hypha.netregistry.internal.registry;

import io.hypha.api.NodeId;
import io.hypha.api.engine.Timer;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.SeedInfo;
import io.hypha.netregistry.internal.registry.RegistrySnapshot.SeedState;
import java.net.URI;
import java.time.Duration;
import java.util.Random;

/**
 * One seed node and how dialling it goes. Changed only on the registry engine's turn; read by the console (the fields
 * it reads are volatile).
 */
final class Seed {
    private final URI address;
    private volatile SeedState state = SeedState.WAITING;
    private volatile NodeId peer;
    private volatile int failures;
    private volatile String lastError = "";
    private Timer retry;

    Seed(URI address, NodeId self) {
        this.address = address;
        String user = address.getUserInfo();
        if (user != null) {
            try {
                if (NodeId.parse(user).equals(self)) {
                    state = SeedState.SELF;
                }
            } catch (IllegalArgumentException notANodeId) {
                // the Transport engine refuses the dial and says why
            }
        }
    }

    URI address() {
        return address;
    }

    SeedState state() {
        return state;
    }

    /** @return whether the seed should be dialled now: neither reached, nor this node, nor being dialled */
    boolean wantsDial() {
        return state == SeedState.WAITING || state == SeedState.BACKING_OFF;
    }

    void dialling() {
        state = SeedState.DIALLING;
    }

    void connected(NodeId node) {
        peer = node;
        state = SeedState.CONNECTED;
    }

    /**
     * Records a failed dial and returns how long to wait before the next: the minimum, doubled with each failure up to
     * the maximum, between half and all of that (jitter, so that nodes that lost the same seed do not dial in step).
     */
    Duration failed(String error, Duration min, Duration max, Random random) {
        failures++;
        lastError = error;
        state = SeedState.BACKING_OFF;
        long base = min.toMillis();
        for (int i = 1; i < failures && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, max.toMillis());
        long half = Math.max(1, base / 2);
        return Duration.ofMillis(half + (long) (random.nextDouble() * (base - half + 1)));
    }

    void retry(Timer timer) {
        retry = timer;
    }

    /** Cancels a pending redial; the seed waits for the next start. */
    void stop() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        if (state == SeedState.DIALLING || state == SeedState.BACKING_OFF) {
            state = SeedState.WAITING;
        }
    }

    SeedInfo info() {
        return new SeedInfo(address, state, peer, failures, lastError);
    }
}
