package io.hypha.runtime.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The stage {@link io.hypha.api.engine.EngineContext#request} returns, and every stage derived from it.
 *
 * <p>Continuations run on the requesting engine's turn, never concurrently with its callbacks. A plain
 * {@link CompletableFuture} runs a continuation on whichever thread completes it, or, when attached after completion,
 * on the attaching thread (a console thread, say); so a continuation attached from outside the engine's turn is
 * attached asynchronously on the turn instead, and the default executor (for the {@code ...Async} variants without
 * an executor) is the turn too. The contract of {@code EngineContext} follows: engine state needs no locks.
 *
 * <h2>Where it completes</h2>
 * A request made on the engine's turn is completed on the turn, when the turn takes the reply from the mailbox, so
 * its continuations attached on the turn run synchronously right there. A request made outside the turn (a console
 * or benchmark thread blocking on the reply) starts <em>undecided</em>: the thread that delivers its reply may
 * complete it at once ({@link #claimOffTurn}), sparing the requester a turn and waking the blocked caller sooner, as
 * long as no continuation was attached synchronously on the turn. One compare-and-set decides between the two: a
 * continuation attached on the turn first keeps completion on the turn; a delivering thread first makes every later
 * continuation asynchronous on the turn. Either way no continuation runs off the turn.
 *
 * @param <T> the result type
 */
final class TurnFuture<T> extends CompletableFuture<T> {
    /** Completed on the turn only: continuations attached on the turn may run synchronously. */
    private static final int ON_TURN = 0;
    /** Made outside the turn, nothing decided yet. */
    private static final int UNDECIDED = 1;
    /** Claimed by a thread off the turn, which completes it: every continuation runs asynchronously on the turn. */
    private static final int OFF_TURN = 2;
    private static final VarHandle COMPLETION;

    static {
        try {
            COMPLETION = MethodHandles.lookup().findVarHandle(TurnFuture.class, "completion", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Mailbox mailbox;
    @SuppressWarnings("unused") // through COMPLETION
    private volatile int completion;

    /** @param mailbox the requesting engine's mailbox, whose turn runs the continuations; completed on the turn only */
    TurnFuture(Mailbox mailbox) {
        this(mailbox, false);
    }

    /**
     * @param mailbox     the requesting engine's mailbox, whose turn runs the continuations
     * @param madeOffTurn whether the request was made outside the engine's turn, so that the thread delivering the
     *                    reply may complete it ({@link #claimOffTurn})
     */
    TurnFuture(Mailbox mailbox, boolean madeOffTurn) {
        this.mailbox = mailbox;
        this.completion = madeOffTurn ? UNDECIDED : ON_TURN;
    }

    /**
     * Claims the completion of this stage for the calling thread, outside the engine's turn. On success the caller
     * must complete it; continuations are then all asynchronous on the turn.
     *
     * @return whether the caller may (and must) complete it; {@code false} if it completes on the turn
     */
    boolean claimOffTurn() {
        return completion == UNDECIDED && COMPLETION.compareAndSet(this, UNDECIDED, OFF_TURN);
    }

    /** @return whether a continuation attached now may run synchronously: on the turn, and completed on the turn */
    private boolean onTurn() {
        if (mailbox.runner != Thread.currentThread()) {
            return false;
        }
        int c = completion;
        if (c == UNDECIDED) {
            COMPLETION.compareAndSet(this, UNDECIDED, ON_TURN);
            c = completion;
        }
        return c == ON_TURN;
    }

    @Override
    public Executor defaultExecutor() {
        return mailbox::enqueueSystem;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new TurnFuture<>(mailbox);
    }

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        return onTurn() ? super.thenApply(fn) : thenApplyAsync(fn);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        return onTurn() ? super.thenAccept(action) : thenAcceptAsync(action);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return onTurn() ? super.thenRun(action) : thenRunAsync(action);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
                                                   BiFunction<? super T, ? super U, ? extends V> fn) {
        return onTurn() ? super.thenCombine(other, fn) : thenCombineAsync(other, fn);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
                                                      BiConsumer<? super T, ? super U> action) {
        return onTurn() ? super.thenAcceptBoth(other, action) : thenAcceptBothAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return onTurn() ? super.runAfterBoth(other, action) : runAfterBothAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        return onTurn() ? super.applyToEither(other, fn) : applyToEitherAsync(other, fn);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        return onTurn() ? super.acceptEither(other, action) : acceptEitherAsync(other, action);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return onTurn() ? super.runAfterEither(other, action) : runAfterEitherAsync(other, action);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        return onTurn() ? super.thenCompose(fn) : thenComposeAsync(fn);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        return onTurn() ? super.whenComplete(action) : whenCompleteAsync(action);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        return onTurn() ? super.handle(fn) : handleAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        return onTurn() ? super.exceptionally(fn) : exceptionallyAsync(fn);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        return onTurn() ? super.exceptionallyCompose(fn) : exceptionallyComposeAsync(fn);
    }
}
