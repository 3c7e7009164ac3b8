package io.hypha.relay.internal.engine;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.router.LocalDelivery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Local delivery that records what it is given; {@link #refuseWith} makes {@code offer} refuse. Thread-safe. */
final class FakeLocal implements LocalDelivery {
    private final AtomicLong ids = new AtomicLong();
    final List<Envelope> delivered = new ArrayList<>();
    final List<DeadLetter> undeliverable = new ArrayList<>();
    volatile DeliveryFailure refuseWith;

    @Override
    public long nextMessageId() {
        return ids.incrementAndGet();
    }

    @Override
    public synchronized void deliver(Envelope envelope) {
        delivered.add(envelope);
    }

    @Override
    public synchronized DeliveryFailure offer(Envelope envelope) {
        DeliveryFailure f = refuseWith;
        if (f == null) {
            delivered.add(envelope);
        }
        return f;
    }

    @Override
    public synchronized void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
        undeliverable.add(new DeadLetter(envelope, failure, detail, Instant.EPOCH));
    }

    synchronized List<Envelope> delivered() {
        return List.copyOf(delivered);
    }

    synchronized List<DeadLetter> undeliverable() {
        return List.copyOf(undeliverable);
    }

    synchronized long undeliverable(DeliveryFailure failure) {
        return undeliverable.stream().filter(l -> l.failure() == failure).count();
    }
}
