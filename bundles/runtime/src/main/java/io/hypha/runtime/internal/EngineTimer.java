package io.hypha.runtime.internal;

import io.hypha.api.engine.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A timer of one engine instance. The timer thread only enqueues a firing into the engine's mailbox; the action
 * runs on the engine's turn, and not at all once the timer is cancelled or the instance has stopped. A periodic
 * timer arms its next firing after its action ran, at the previous deadline plus the period (fixed rate, without a
 * burst of catch-up firings when the engine was busy).
 */
final class EngineTimer implements Timer {
    private static final int PENDING = 0;
    private static final int CANCELLED = 1;
    private static final int FIRED = 2;

    private final EngineCell cell;
    private final Runnable action;
    private final long periodMillis;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private volatile TimerScheduler.Entry entry;
    private long deadline; // written by the arming thread, then only by the turn

    EngineTimer(EngineCell cell, Runnable action, long periodMillis) {
        this.cell = cell;
        this.action = action;
        this.periodMillis = periodMillis;
    }

    void arm(long deadlineMillis) {
        deadline = deadlineMillis;
        entry = cell.mailbox().host.timers().schedule(deadlineMillis, this::fire);
        if (state.get() != PENDING) { // cancelled while arming
            entry.cancel();
        }
    }

    /** On the timer thread: hand the firing to the engine's turn. */
    private void fire() {
        cell.mailbox().enqueueSystem(this::runOnTurn);
    }

    private void runOnTurn() {
        if (state.get() != PENDING || !cell.isActive()) {
            return;
        }
        if (periodMillis == 0) {
            if (!state.compareAndSet(PENDING, FIRED)) {
                return;
            }
            cell.forget(this);
        }
        try {
            action.run();
        } catch (Throwable t) {
            cell.log().warn("engine {}: a timer action failed", cell.self().engine(), t);
        }
        if (periodMillis > 0 && state.get() == PENDING) {
            long now = cell.clock().millis();
            long next = deadline + periodMillis;
            arm(next < now ? now : next);
        }
    }

    @Override
    public boolean cancel() {
        if (!state.compareAndSet(PENDING, CANCELLED)) {
            return false;
        }
        TimerScheduler.Entry e = entry;
        if (e != null) {
            e.cancel();
        }
        cell.forget(this);
        return true;
    }

    @Override
    public boolean isDone() {
        return state.get() != PENDING;
    }
}
