package io.hypha.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The benchmarks' plumbing on both sides, with small batches: what JMH measures must work first. */
class ActorRuntimeTest {
    @ParameterizedTest
    @ValueSource(strings = {ActorRuntime.HYPHA, ActorRuntime.PEKKO})
    void deliversEveryMessageOfABatchToTheCountingReceiver(String impl) throws Exception {
        try (ActorRuntime runtime = ActorRuntime.create(impl)) {
            BatchSignal signal = new BatchSignal(2, 1000, runtime::failures);
            ActorRuntime.Sender receiver = runtime.countingReceiver(signal);
            for (int round = 0; round < 3; round++) {
                signal.arm(0);
                signal.arm(1);
                for (int i = 0; i < 1000; i++) {
                    receiver.tell(new Token(0));
                    receiver.tell(new Token(1));
                }
                signal.await(0);
                signal.await(1);
            }
            assertThat(runtime.failures()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ActorRuntime.HYPHA, ActorRuntime.PEKKO})
    void echoAnswersEachRequestWithItsPayload(String impl) throws Exception {
        try (ActorRuntime runtime = ActorRuntime.create(impl)) {
            ActorRuntime.Requester echo = runtime.echo();
            for (int i = 0; i < 100; i++) {
                Token token = new Token(i);
                assertThat(echo.ask(token)).isSameAs(token);
            }
            assertThat(runtime.failures()).isZero();
        }
    }

    @Test
    void refusesAnUnknownRuntime() {
        assertThatThrownBy(() -> ActorRuntime.create("akka")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("akka");
    }
}
