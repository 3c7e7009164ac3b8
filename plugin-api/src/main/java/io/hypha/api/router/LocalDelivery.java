package io.hypha.api.router;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.Envelope;
import org.osgi.annotation.versioning.ProviderType;

/** The engine runtime's side of routing: puts messages into local mailboxes. Implemented by the platform. */
@ProviderType
public interface LocalDelivery {
    /**
     * Issues message ids. The engine runtime is the single issuer on a node, so ids never collide between
     * messages sent by engines and messages injected through the {@link Router}.
     *
     * @return a fresh id, never {@link io.hypha.api.Envelope#NO_REQUEST}
     */
    long nextMessageId();

    /**
     * Delivers a message to a local engine's mailbox, or dead-letters it with its reason.
     *
     * @param envelope the message; its destination names a local engine
     */
    void deliver(Envelope envelope);

    /**
     * Puts a message into a local engine's mailbox if it can be taken now, and otherwise hands it back untouched:
     * nothing is dead-lettered and nobody is told. For callers that can hold a message and try again, such as the
     * Transport engine delivering messages from another node: by not acknowledging what was refused it pushes back
     * on the remote sender instead of losing the message.
     *
     * @param envelope the message; its destination names a local engine
     * @return {@code null} if it was queued; {@link DeliveryFailure#MAILBOX_FULL} if the mailbox is at its bound (try
     *         again later); otherwise the final reason ({@link DeliveryFailure#NO_SUCH_ENGINE},
     *         {@link DeliveryFailure#ENGINE_STOPPED}, {@link DeliveryFailure#EXPIRED}), which the caller reports with
     *         {@link #undeliverable}
     * @since 1.1
     */
    DeliveryFailure offer(Envelope envelope);

    /**
     * Records that a message could not be delivered and tells the sending engine, if it is local.
     *
     * @param envelope the message
     * @param failure  why
     * @param detail   a short explanation for operators
     */
    void undeliverable(Envelope envelope, DeliveryFailure failure, String detail);
}
