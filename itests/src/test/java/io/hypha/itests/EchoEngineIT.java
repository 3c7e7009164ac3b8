package io.hypha.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** An engine registered by an ordinary bundle (the test) talks to the echo engine of the example bundle. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EchoEngineIT extends HyphaTestSupport {
    private static final EngineAddress ECHO = EngineAddress.local("echo");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    private ProbeEngine probe;

    @Configuration
    public Option[] config() {
        return new Option[] {platform(EchoEngineIT.class), coreBundles(), bundleFile("hypha-example-echo")};
    }

    @Before
    public void registerProbeEngine() {
        EngineDirectory directory = awaitService(EngineDirectory.class, Await.DEFAULT);
        Await.until("the echo engine to run", Await.DEFAULT,
                () -> directory.engines().stream().anyMatch(e -> e.name().equals("echo") && e.state() == EngineInfo.State.RUNNING),
                () -> directory.engines().toString());
        probe = ProbeEngine.register(bundleContext, "itest-echo-client", 0);
    }

    @After
    public void unregisterProbeEngine() {
        if (probe != null) {
            probe.unregister();
        }
    }

    @Test
    public void echoRepliesWithTheSamePayload() throws Exception {
        byte[] payload = {1, 2, 3, 42};
        Envelope reply = awaitReply(probe.ctx().request(ECHO, "echo.request", payload, REPLY_TIMEOUT));

        assertEquals("echo.reply", reply.type());
        assertArrayEquals("the reply carries the request's payload", payload, (byte[]) reply.payload());
        assertEquals("the reply comes from echo", "echo", reply.src().engine());
        assertEquals("the reply goes to the requesting engine", "itest-echo-client", reply.dst().engine());
        assertTrue("the reply answers a request", reply.isReply());
    }

    @Test
    public void echoAnswersOneWayMessagesToTheSender() {
        probe.ctx().send(ECHO, "echo.request", "one-way hello", Duration.ofSeconds(20));

        Await.until("the echo reply to reach the sending engine", REPLY_TIMEOUT, () -> probe.receivedCount() == 1);
        Envelope reply = probe.received().get(0);
        assertEquals("echo.reply", reply.type());
        assertEquals("one-way hello", reply.payload());
        assertTrue("nothing was undeliverable", probe.undeliverable().isEmpty());
    }

    @Test
    public void requestToAnUnknownEngineFailsWithNoSuchEngine() {
        CompletionStage<Envelope> reply = probe.ctx().request(EngineAddress.local("no-such-engine"), "echo.request", "x", REPLY_TIMEOUT);
        DeliveryException failure = awaitFailure(reply);
        assertEquals(DeliveryFailure.NO_SUCH_ENGINE, failure.failure());
    }

    @Test
    public void oneWayMessageToAnUnknownEngineIsReportedToTheSender() {
        probe.ctx().send(EngineAddress.local("no-such-engine"), "echo.request", "lost", Duration.ofSeconds(20));

        Await.until("the sender to be told the message was undeliverable", Await.DEFAULT, () -> !probe.undeliverable().isEmpty());
        assertEquals(DeliveryFailure.NO_SUCH_ENGINE, probe.undeliverable().get(0).failure());
        assertEquals("lost", probe.undeliverable().get(0).envelope().payload());
        assertFalse("nothing answered it", probe.receivedCount() > 0);
    }
}
