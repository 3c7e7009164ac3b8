package io.hypha.example.echo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.testkit.EngineHarness;
import java.lang.annotation.Annotation;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EchoEngineTest {
    private static final EngineAddress CLIENT = EngineAddress.local("client");

    private EngineHarness harness;

    private EchoEngine start(String prefix) {
        EchoEngine engine = new EchoEngine(config(prefix));
        harness = EngineHarness.start(EchoEngine.NAME, engine);
        return engine;
    }

    @AfterEach
    void engineNeverThrew() {
        harness.assertNoFailures();
    }

    @Test
    void repliesToTheSenderWithTheSamePayload() {
        start("");

        CompletableFuture<Envelope> reply = harness.request(CLIENT, "echo", "hello");

        assertThat(reply).isCompleted();
        Envelope answer = reply.join();
        assertThat(harness.nextSent()).isSameAs(answer);
        assertThat(answer.type()).isEqualTo("echo.reply");
        assertThat(answer.payload()).isEqualTo("hello");
        assertThat(answer.dst()).isEqualTo(CLIENT);
        assertThat(answer.src()).isEqualTo(harness.self());
        assertThat(answer.inReplyTo()).isNotEqualTo(Envelope.NO_REQUEST);
        harness.assertNothingSent();
    }

    @Test
    void setsInReplyToTheRequestId() {
        start("");

        Envelope request = harness.deliver(CLIENT, "echo", "x");

        assertThat(harness.nextSent().inReplyTo()).isEqualTo(request.id());
    }

    @Test
    void putsTheConfiguredPrefixInFrontOfTextPayloads() {
        start("> ");

        assertThat(harness.request(CLIENT, "echo", "hi").join().payload()).isEqualTo("> hi");
    }

    @Test
    void returnsOtherPayloadsAsTheSameObject() {
        start("> ");
        byte[] bytes = {1, 2, 3};
        record Point(int x, int y) { }
        Point point = new Point(1, 2);

        assertThat(harness.request(CLIENT, "echo", bytes).join().payload()).isSameAs(bytes);
        assertThat(harness.request(CLIENT, "echo", point).join().payload()).isSameAs(point);
        assertThat(harness.request(CLIENT, "echo", null).join().payload()).isNull();
    }

    @Test
    void answersAnyMessageType() {
        start("");

        assertThat(harness.request(CLIENT, "echo.request", "a").join().type()).isEqualTo("echo.reply");
        assertThat(harness.request(CLIENT, "whatever", "b").join().payload()).isEqualTo("b");
    }

    @Test
    void answersNothingWhenThereIsNoSender() {
        EchoEngine engine = start("");

        harness.deliver(null, "echo", "into the void");

        harness.assertNothingSent();
        assertThat(engine.handled()).isEqualTo(1);
    }

    @Test
    void neverAnswersAReplySoTwoEchoEnginesCannotLoop() {
        start("");
        Envelope reply = Envelope.builder().src(EngineAddress.local("echo-b")).dst(harness.self())
                .id(10).inReplyTo(5).type(EchoEngine.REPLY_TYPE).payload("x").build();

        harness.deliver(reply);

        harness.assertNothingSent();
    }

    @Test
    void countsEveryMessageItHandles() {
        EchoEngine engine = start("");

        harness.deliver(CLIENT, "echo", "1");
        harness.deliver(CLIENT, "echo", "2");
        harness.deliver(null, "echo", "3");

        assertThat(engine.handled()).isEqualTo(3);
        assertThat(harness.takeSent()).extracting(Envelope::payload).containsExactly("1", "2");
    }

    private static EchoEngine.Config config(String prefix) {
        return new EchoEngine.Config() {
            @Override
            public String prefix() {
                return prefix;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return EchoEngine.Config.class;
            }
        };
    }
}
