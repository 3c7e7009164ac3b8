package io.hypha.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Tells each sender when the receiver has handled its whole batch.
 *
 * <p>A sender {@link #arm arms} its slot, sends {@code batch} messages and {@link #await awaits} the slot. The
 * receiver calls {@link #onMessage} for each message; it counts per sender, so several senders whose batches
 * overlap never see each other's messages in their count. The counts are plain fields: both runtimes run one
 * receiver's callbacks one at a time, each seeing the effects of the previous one. The latch is published by the
 * send itself (the sender writes it before its first message of the batch enters the mailbox).
 */
public final class BatchSignal {
    /** How long a sender waits for its batch, by default, before the benchmark fails instead of hanging. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final int batch;
    private final int[] counts;
    private final Slot[] slots;
    private final LongSupplier failures;
    private final Duration timeout;

    /**
     * @param senders  how many senders share the receiver
     * @param batch    messages per batch and sender
     * @param failures how many messages the runtime refused so far (shown when a batch never completes)
     */
    public BatchSignal(int senders, int batch, LongSupplier failures) {
        this(senders, batch, failures, DEFAULT_TIMEOUT);
    }

    /**
     * @param senders  how many senders share the receiver
     * @param batch    messages per batch and sender
     * @param failures how many messages the runtime refused so far (shown when a batch never completes)
     * @param timeout  how long {@link #await} waits before it gives up
     */
    BatchSignal(int senders, int batch, LongSupplier failures, Duration timeout) {
        if (senders < 1 || batch < 1) {
            throw new IllegalArgumentException("senders and batch must be positive: " + senders + ", " + batch);
        }
        this.batch = batch;
        this.counts = new int[senders];
        this.slots = new Slot[senders];
        for (int i = 0; i < senders; i++) {
            slots[i] = new Slot();
        }
        this.failures = failures;
        this.timeout = timeout;
    }

    /** @return messages per batch and sender */
    public int batch() {
        return batch;
    }

    /**
     * Starts a batch; call before sending its first message.
     *
     * @param sender the sender's index
     */
    public void arm(int sender) {
        slots[sender].done = new CountDownLatch(1);
    }

    /**
     * Counts one message; called by the receiver only.
     *
     * @param sender the index of the message's sender
     */
    public void onMessage(int sender) {
        if (++counts[sender] == batch) {
            counts[sender] = 0;
            slots[sender].done.countDown();
        }
    }

    /**
     * Waits until the receiver has handled the sender's batch.
     *
     * @param sender the sender's index
     * @throws InterruptedException  if interrupted
     * @throws IllegalStateException if the batch did not complete in time (messages were lost)
     */
    public void await(int sender) throws InterruptedException {
        if (!slots[sender].done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("sender " + sender + ": batch of " + batch + " not received within "
                    + timeout + "; messages refused so far: " + failures.getAsLong());
        }
    }

    /** One sender's latch, alone in its object so that senders do not write the same cache line. */
    private static final class Slot {
        volatile CountDownLatch done;
    }
}
