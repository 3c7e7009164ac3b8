package io.hypha.runtime.internal;

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
 * <p>It is completed on the requesting engine's turn, so continuations attached before completion run there. A
 * plain {@link CompletableFuture} would run a continuation attached <em>after</em> completion on the attaching
 * thread (a console thread, say), concurrently with the engine; so when a continuation is attached from outside the
 * engine's turn, it is attached asynchronously on the turn instead. The default executor (for the {@code ...Async}
 * variants without an executor) is the turn too. The contract of {@code EngineContext} follows: continuations never
 * run concurrently with the engine's callbacks, so engine state needs no locks.
 *
 * @param <T> the result type
 */
final class TurnFuture<T> extends CompletableFuture<T> {
    private final Mailbox mailbox;

    /** @param mailbox the requesting engine's mailbox, whose turn runs the continuations */
    TurnFuture(Mailbox mailbox) {
        this.mailbox = mailbox;
    }

    private boolean onTurn() {
        return mailbox.runner == Thread.currentThread();
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
