package io.hypha.transport.internal.engine;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import io.hypha.api.router.LocalDelivery;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link LocalDelivery} that records what it is given. Thread-safe. */
final class RecordingDelivery implements LocalDelivery {
    /** One undeliverable report. */
    record Failure(Envelope envelope, DeliveryFailure failure, String detail) {
    }

    final List<Envelope> delivered = new CopyOnWriteArrayList<>();
    final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public long nextMessageId() {
        return ids.incrementAndGet();
    }

    /** How many more messages the (single, pretend) mailbox takes before it is full; negative: unbounded. */
    volatile int room = -1;

    @Override
    public void deliver(Envelope envelope) {
        delivered.add(envelope);
    }

    @Override
    public DeliveryFailure offer(Envelope envelope) {
        synchronized (this) {
            if (room == 0) {
                return DeliveryFailure.MAILBOX_FULL;
            }
            if (room > 0) {
                room--;
            }
        }
        delivered.add(envelope);
        return null;
    }

    @Override
    public void undeliverable(Envelope envelope, DeliveryFailure failure, String detail) {
        failures.add(new Failure(envelope, failure, detail));
    }

    /** @return the payloads delivered, in order */
    List<Object> payloads() {
        return delivered.stream().map(Envelope::payload).toList();
    }
}
