package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventRingTest {
    private record Event(int kind, Object a, Object b, long n, long m) {
    }

    @Test
    void eventsComeOutInOrderWithAllTheirFields() {
        EventRing ring = new EventRing(4);
        List<Event> out = new ArrayList<>();

        assertThat(ring.offer(1, "a", "b", 10, 20)).isTrue();
        assertThat(ring.offer(2, null, 3, -1, 0)).isTrue();
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.poll((k, a, b, n, m) -> out.add(new Event(k, a, b, n, m)), 10)).isEqualTo(2);

        assertThat(out).containsExactly(new Event(1, "a", "b", 10, 20), new Event(2, null, 3, -1, 0));
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void aFullRingRefusesUntilTheConsumerTakesSomething() {
        EventRing ring = new EventRing(3);
        assertThat(ring.capacity()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(ring.offer(1, i, null, i, 0)).isTrue();
        }
        assertThat(ring.offer(1, 4, null, 4, 0)).isFalse();

        assertThat(ring.poll((k, a, b, n, m) -> { }, 1)).isEqualTo(1);
        assertThat(ring.offer(1, 4, null, 4, 0)).isTrue();
        assertThatThrownBy(() -> ring.offer(0, null, null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFilteredPollStopsAtTheFirstEventOfAnotherKindAndLeavesIt() {
        EventRing ring = new EventRing(8);
        ring.offer(4, "data", null, 1, 0);
        ring.offer(5, "ack", null, 2, 0);
        ring.offer(6, "frame", null, 3, 0);
        ring.offer(4, "data", null, 4, 0);
        List<Long> got = new ArrayList<>();

        assertThat(ring.poll((k, a, b, n, m) -> got.add(n), 10, (1 << 4) | (1 << 5))).isEqualTo(2);
        assertThat(got).containsExactly(1L, 2L);
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.poll((k, a, b, n, m) -> got.add(n), 10)).isEqualTo(2);
        assertThat(got).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void manyProducersLoseNothingAndKeepEachProducersOrder() throws Exception {
        int producers = 4;
        int perProducer = 100_000;
        EventRing ring = new EventRing(1024);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p + 1;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long i = 0; i < perProducer; i++) {
                    while (!ring.offer(id, null, null, i, 0)) {
                        Thread.onSpinWait();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long[] next = new long[producers + 1];
        int[] received = {0};
        start.countDown();
        while (received[0] < producers * perProducer) {
            ring.poll((k, a, b, n, m) -> {
                if (n != next[k]) {
                    throw new AssertionError("producer " + k + ": got " + n + ", expected " + next[k]);
                }
                next[k]++;
                received[0]++;
            }, 256);
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ring.isEmpty()).isTrue();
        for (int p = 1; p <= producers; p++) {
            assertThat(next[p]).isEqualTo(perProducer);
        }
    }
}
