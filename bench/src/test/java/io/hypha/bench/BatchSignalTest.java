package io.hypha.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchSignalTest {
    @Test
    void releasesASenderOnlyWhenItsOwnBatchHasArrived() throws Exception {
        BatchSignal signal = new BatchSignal(2, 3, () -> 0);
        signal.arm(0);
        signal.arm(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> awaitQuietly(signal, 0));

        for (int i = 0; i < 3; i++) {
            signal.onMessage(1); // the other sender's messages do not count for sender 0
        }
        signal.await(1);
        assertThat(first).isNotDone();
        signal.onMessage(0);
        signal.onMessage(0);
        assertThat(first).isNotDone();
        signal.onMessage(0);

        first.get(10, TimeUnit.SECONDS);
    }

    @Test
    void startsCountingAfreshForTheNextBatch() throws Exception {
        BatchSignal signal = new BatchSignal(1, 2, () -> 0);
        signal.arm(0);
        signal.onMessage(0);
        signal.onMessage(0);
        signal.await(0);

        signal.arm(0);
        signal.onMessage(0);
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> awaitQuietly(signal, 0));
        assertThat(second).isNotDone();
        signal.onMessage(0);
        second.get(10, TimeUnit.SECONDS);
    }

    @Test
    void failsInsteadOfHangingWhenMessagesWereLost() {
        BatchSignal signal = new BatchSignal(1, 2, () -> 7, Duration.ofMillis(50));
        signal.arm(0);
        signal.onMessage(0);

        assertThatThrownBy(() -> signal.await(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused so far: 7");
    }

    @Test
    void refusesANonPositiveBatch() {
        assertThatThrownBy(() -> new BatchSignal(1, 0, () -> 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void awaitQuietly(BatchSignal signal, int sender) {
        try {
            signal.await(sender);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
