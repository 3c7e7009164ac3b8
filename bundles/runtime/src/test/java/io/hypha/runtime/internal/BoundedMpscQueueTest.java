package io.hypha.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedMpscQueueTest {

    @Test
    void holdsExactlyItsCapacityEvenWhenItIsNotAPowerOfTwo() {
        BoundedMpscQueue<Integer> q = new BoundedMpscQueue<>(5);
        for (int i = 0; i < 5; i++) {
            assertThat(q.offer(i)).isTrue();
        }
        assertThat(q.offer(5)).isFalse();
        assertThat(q.size()).isEqualTo(5);
        assertThat(q.poll()).isEqualTo(0);
        assertThat(q.offer(5)).isTrue();
        assertThat(q.offer(6)).isFalse();
    }

    @Test
    void returnsElementsInOrderAcrossManyWrapArounds() {
        BoundedMpscQueue<Integer> q = new BoundedMpscQueue<>(3);
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int round = 0; round < 1000; round++) {
            while (q.offer(next)) {
                next++;
            }
            out.add(q.poll());
            out.add(q.poll());
        }
        for (Integer e; (e = q.poll()) != null; ) {
            out.add(e);
        }
        assertThat(q.isEmpty()).isTrue();
        assertThat(out).hasSize(next);
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i)).isEqualTo(i);
        }
    }

    @Test
    void isEmptyAndReturnsNullWhenNothingWasOffered() {
        BoundedMpscQueue<String> q = new BoundedMpscQueue<>(1);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isNull();
        assertThat(q.size()).isZero();
    }

    @Test
    void refusesCapacitiesOutOfRange() {
        assertThatThrownBy(() -> new BoundedMpscQueue<>(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BoundedMpscQueue<>((1 << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverLosesOrDuplicatesElementsWithConcurrentProducers() throws Exception {
        int producers = 4;
        int perProducer = 50_000;
        BoundedMpscQueue<long[]> q = new BoundedMpscQueue<>(1000);
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perProducer; i++) {
                    while (!q.offer(new long[] {producer, i})) {
                        refused.incrementAndGet();
                        Thread.onSpinWait();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        int[] next = new int[producers];
        int received = 0;
        int outOfOrder = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (received < producers * perProducer && System.nanoTime() < deadline) {
            long[] e = q.poll();
            if (e == null) {
                Thread.onSpinWait();
                continue;
            }
            assertThat(q.size()).isLessThanOrEqualTo(1000);
            if (e[1] != next[(int) e[0]]) {
                outOfOrder++;
            }
            next[(int) e[0]] = (int) e[1] + 1;
            received++;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(received).isEqualTo(producers * perProducer);
        assertThat(outOfOrder).isZero();
        assertThat(q.poll()).isNull();
    }
}
