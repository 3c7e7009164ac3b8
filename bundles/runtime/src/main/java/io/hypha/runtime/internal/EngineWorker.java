package io.hypha.runtime.internal;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * A thread of the host's pool, with a one-mailbox hand-off slot (the "LIFO slot" of Tokio's scheduler, Go's
 * {@code runnext}).
 *
 * <p>When a turn running on this thread makes work for an idle mailbox (it sends that engine a message), the
 * mailbox is put in the slot instead of the pool's queue, and this thread runs it as soon as the current turn ends.
 * A request and its reply, or any chain of engines passing a message along, then run on one warm thread without a
 * queue push or waking another thread per hop. If the slot is already taken, the older mailbox goes to the pool's
 * queue, where idle threads can steal it. Only the thread itself touches the slot.
 */
final class EngineWorker extends ForkJoinWorkerThread {
    final EngineHost host;
    /** A scheduled mailbox to run right after the current turn; this thread only. */
    Mailbox next;
    /**
     * A mailbox this thread owns (scheduled, not running) while it runs the turn its last turn woke; it comes back
     * to it afterwards. This thread only.
     */
    Mailbox held;
    /** Whether this thread is inside a turn (only then does scheduling use the slot); this thread only. */
    boolean inTurn;
    /** Set by a turn that waited for a message and got one (a new chain of work from outside); this thread only. */
    boolean caughtAfterSpin;
    /** The next message id this thread issues, and the end of its block (see EngineHost#nextMessageId); this thread only. */
    long nextId;
    long idBlockEnd;

    EngineWorker(ForkJoinPool pool, EngineHost host) {
        super(pool);
        this.host = host;
    }
}
