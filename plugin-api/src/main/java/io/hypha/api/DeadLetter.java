package io.hypha.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A message that could not be delivered, with the reason and when it was given up.
 *
 * @param envelope the undelivered message
 * @param failure  why it was not delivered
 * @param detail   a short human-readable explanation (for example the engine name that was missing)
 * @param at       when delivery was given up
 */
public record DeadLetter(Envelope envelope, DeliveryFailure failure, String detail, Instant at) {
    /** @throws NullPointerException if any component but {@code detail} is null */
    public DeadLetter {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(at, "at");
        detail = detail == null ? "" : detail;
    }
}
