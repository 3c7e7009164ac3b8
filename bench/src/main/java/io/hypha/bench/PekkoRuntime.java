package io.hypha.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * Apache Pekko's local (classic) actors, as a Java user writes them: {@link AbstractActor}s on the default
 * dispatcher and mailbox (fork-join executor, unbounded mailbox, throughput 5), one-way sends with
 * {@code tell(msg, ActorRef.noSender())} from a plain thread, requests with {@link Patterns#ask}.
 *
 * <p>The only setting changed is the default dispatcher's thread count, pinned to the Hypha engine runtime's
 * executor size: Pekko's own default would start {@code max(8, cores)} threads, which on a small machine
 * measures thread oversubscription rather than the actor runtime.
 */
final class PekkoRuntime implements ActorRuntime {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

    private final ActorSystem system;
    private final AtomicLong deadLetters = new AtomicLong();

    /** @param threads the default dispatcher's thread count */
    PekkoRuntime(int threads) {
        Config config = ConfigFactory.parseString(String.join("\n",
                "pekko.loglevel = WARNING",
                "pekko.stdout-loglevel = WARNING",
                "pekko.log-dead-letters = off",
                "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min = " + threads,
                "pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = " + threads))
                .withFallback(ConfigFactory.defaultReference(PekkoRuntime.class.getClassLoader()));
        system = ActorSystem.create("bench", config, PekkoRuntime.class.getClassLoader());
        ActorRef deadLetterWatch = system.actorOf(Props.create(DeadLetterCounter.class, () -> new DeadLetterCounter(deadLetters)));
        system.getEventStream().subscribe(deadLetterWatch, DeadLetter.class);
    }

    /**
     * @param threads the default dispatcher's thread count
     * @return how this side is set up, for the report
     */
    static String setup(int threads) {
        return "classic AbstractActor, default dispatcher (fork-join, throughput 5) pinned to " + threads
                + " threads, default unbounded mailbox; senders call tell(msg, noSender()) from the benchmark"
                + " thread; requests use Patterns.ask(...).toCompletableFuture().get()";
    }

    @Override
    public Sender countingReceiver(BatchSignal signal) {
        ActorRef receiver = system.actorOf(Props.create(Counter.class, () -> new Counter(signal)), "counter");
        return token -> receiver.tell(token, ActorRef.noSender());
    }

    @Override
    public Requester echo() {
        ActorRef echo = system.actorOf(Props.create(Echo.class, Echo::new), "echo");
        return token -> Patterns.ask(echo, token, ASK_TIMEOUT).toCompletableFuture().get();
    }

    @Override
    public long failures() {
        return deadLetters.get();
    }

    @Override
    public void close() {
        try {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the Pekko actor system did not terminate", e);
        }
    }

    /** Counts each {@link Token} into the batch signal. */
    static final class Counter extends AbstractActor {
        private final BatchSignal signal;

        Counter(BatchSignal signal) {
            this.signal = signal;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(Token.class, t -> signal.onMessage(t.sender())).build();
        }
    }

    /** Answers every message with itself. */
    static final class Echo extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
        }
    }

    /** Counts dead letters, so that a benchmark that lost messages says so. */
    static final class DeadLetterCounter extends AbstractActor {
        private final AtomicLong count;

        DeadLetterCounter(AtomicLong count) {
            this.count = count;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().match(DeadLetter.class, d -> count.incrementAndGet()).build();
        }
    }
}
