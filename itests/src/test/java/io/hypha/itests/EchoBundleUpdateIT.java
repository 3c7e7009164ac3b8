package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Updating the echo bundle while thousands of messages for it are queued loses none and answers none twice: the
 * runtime keeps the mailbox while the old instance goes and hands it to the new one.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EchoBundleUpdateIT extends HyphaTestSupport {
    private static final int BEFORE_UPDATE = 5_000;
    private static final int DURING_UNREGISTRATION = 3_000;
    private static final int AFTER_UPDATE = 2_000;
    private static final int TOTAL = BEFORE_UPDATE + DURING_UNREGISTRATION + AFTER_UPDATE;
    /** Mailbox bound for echo and the client: the whole run fits, so MAILBOX_FULL can never be the excuse. */
    private static final int CAPACITY = 2 * TOTAL;
    private static final Duration TTL = Duration.ofMinutes(2);
    private static final EngineAddress ECHO = EngineAddress.local("echo");
    private static final String ECHO_FILTER = "(" + Engine.NAME + "=echo)";

    @Configuration
    public Option[] config() {
        // Echo is installed by the test, after the runtime got the mailbox bound (it applies to mailboxes made later).
        return new Option[] {platform(EchoBundleUpdateIT.class), coreBundles()};
    }

    @Test
    public void everyMessageIsAnsweredExactlyOnceAcrossAnEchoBundleUpdate() throws Exception {
        configure("io.hypha.runtime", "mailboxCapacity", CAPACITY);
        awaitService(EngineDirectory.class, "(mailboxCapacity=" + CAPACITY + ")", Await.DEFAULT);
        EngineDirectory directory = awaitService(EngineDirectory.class, Await.DEFAULT);
        DeadLetterLog deadLetters = awaitService(DeadLetterLog.class, Await.DEFAULT);

        Bundle echo = bundleContext.installBundle(bundleUrl("hypha-example-echo"));
        echo.start();
        EngineInfo echoInfo = awaitEngine(directory, "echo", EngineInfo.State.RUNNING);
        assertEquals("echo's mailbox has the configured bound", CAPACITY, echoInfo.capacity());
        Object firstServiceId = echoServiceId();

        ProbeEngine client = ProbeEngine.register(bundleContext, "itest-update-client", CAPACITY);
        EngineContext ctx = client.ctx();
        Map<DeliveryFailure, Long> deadBefore = deadLetters.counts();

        // While the old echo service is being unregistered (the framework calls this synchronously during the
        // update), send another batch: these race the runtime's suspension of the mailbox.
        AtomicInteger unregistrations = new AtomicInteger();
        AtomicReference<String> echoAtUnregistration = new AtomicReference<>();
        ServiceListener duringUpdate = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING && unregistrations.incrementAndGet() == 1) {
                echoAtUnregistration.set(engine(directory, "echo") + ", replies so far " + client.receivedCount());
                sendRange(ctx, BEFORE_UPDATE, BEFORE_UPDATE + DURING_UNREGISTRATION);
            }
        };
        bundleContext.addServiceListener(duringUpdate, "(&(objectClass=" + Engine.class.getName() + ")" + ECHO_FILTER + ")");
        try {
            sendRange(ctx, 0, BEFORE_UPDATE);
            echo.update();
            sendRange(ctx, BEFORE_UPDATE + DURING_UNREGISTRATION, TOTAL);
        } finally {
            bundleContext.removeServiceListener(duringUpdate);
        }

        assertEquals("the old echo service was unregistered once by the update", 1, unregistrations.get());
        Await.until("replies to all " + TOTAL + " messages", Duration.ofSeconds(90),
                () -> client.receivedCount() >= TOTAL || !client.undeliverable().isEmpty(),
                () -> client.receivedCount() + " replies, " + client.undeliverable().size() + " undeliverable, engines " + directory.engines());
        // Let anything still in flight arrive, so duplicates would be seen: both mailboxes empty.
        Await.until("echo and the client to have empty mailboxes", Await.DEFAULT,
                () -> queued(directory, "echo") == 0 && queued(directory, "itest-update-client") == 0,
                () -> directory.engines().toString());

        assertTrue("nothing was undeliverable, yet the client was told: " + client.undeliverable().stream().limit(5).toList(),
                client.undeliverable().isEmpty());
        Map<String, Integer> answers = new HashMap<>();
        for (Envelope reply : client.received()) {
            assertEquals("echo.reply", reply.type());
            answers.merge((String) reply.payload(), 1, Integer::sum);
        }
        assertEquals("every message was answered (echo at unregistration: " + echoAtUnregistration.get() + ")", TOTAL, answers.size());
        for (int i = 0; i < TOTAL; i++) {
            Integer n = answers.get(payload(i));
            assertEquals("answers to " + payload(i), Integer.valueOf(1), n);
        }
        assertEquals("no message was answered twice", TOTAL, client.receivedCount());
        assertEquals("nothing was dead-lettered", deadBefore, deadLetters.counts());

        assertEquals("echo is running again", EngineInfo.State.RUNNING, engine(directory, "echo").map(EngineInfo::state).orElse(null));
        assertNotEquals("a new echo instance serves after the update", firstServiceId, echoServiceId());
        assertEquals(Bundle.ACTIVE, echo.getState());
        client.unregister();
    }

    private static void sendRange(EngineContext ctx, int from, int to) {
        for (int i = from; i < to; i++) {
            ctx.send(ECHO, "echo.request", payload(i), TTL);
        }
    }

    private static String payload(int i) {
        return "msg-" + i;
    }

    private Object echoServiceId() {
        var refs = Await.value("the echo engine service", Await.DEFAULT, () -> {
            try {
                var found = bundleContext.getServiceReferences(Engine.class, ECHO_FILTER);
                return found.isEmpty() ? null : found;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        return refs.iterator().next().getProperty("service.id");
    }
}
