package io.hypha.multinode;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; the only way these tests wait. */
final class Await {
    /** Pause between two polls; each poll of a node is a {@code ./hypha exec}, a short-lived JVM. */
    static final Duration INTERVAL = Duration.ofMillis(300);

    private Await() {
    }

    /**
     * @param what        the condition, for the failure message
     * @param deadline    how long to try
     * @param diagnostics what to add to the failure message (node logs)
     * @param probe       returns the value once the condition holds, empty before; an {@link AssertionError} it
     *                    throws ends the wait at once (a node died)
     * @param <T>         the value
     * @return the value
     * @throws AssertionError if the deadline passed, with the last value seen or the last exception
     */
    static <T> T until(String what, Duration deadline, Supplier<String> diagnostics, Callable<Optional<T>> probe) {
        long end = System.nanoTime() + deadline.toNanos();
        Exception last = null;
        while (true) {
            try {
                Optional<T> value = probe.call();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": not within " + deadline.toSeconds() + " s"
                        + (last == null ? "" : " (last error: " + last + ")") + diagnostics.get());
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}
