package io.hypha.transport.internal.engine;

import io.hypha.api.NodeId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The part of a session that senders touch: the budget of its outbound buffer. {@code forward()} takes a message's
 * share before handing it to the engine thread, and the engine gives it back when the peer acknowledges the message
 * or the message is dropped, so the buffer bound holds without the sender ever seeing session state. Thread-safe.
 */
final class PeerGate {
    final NodeId peer;
    /** The session; read on the engine thread only (the gate is published after it is set). */
    final Session session;
    /** Messages refused because the budget was used up, counted on the senders' threads. */
    final LongAdder refusedFull = new LongAdder();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    PeerGate(NodeId peer, Session session) {
        this.peer = peer;
        this.session = session;
    }

    /**
     * Takes one message's share of the budget.
     *
     * @param size        its encoded size
     * @param maxMessages the buffer's message bound
     * @param maxBytes    the buffer's byte bound
     * @return whether it fits; if not, nothing was taken
     */
    boolean tryAcquire(int size, long maxMessages, long maxBytes) {
        if (messages.incrementAndGet() > maxMessages) {
            messages.decrementAndGet();
            return false;
        }
        if (bytes.addAndGet(size) > maxBytes) {
            bytes.addAndGet(-size);
            messages.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Gives back the share of messages that left the buffer.
     *
     * @param count how many
     * @param size  their total encoded size
     */
    void release(long count, long size) {
        if (count != 0) {
            messages.addAndGet(-count);
            bytes.addAndGet(-size);
        }
    }

    /** @return messages held: handed over, queued or unacknowledged */
    long messages() {
        return messages.get();
    }
}
