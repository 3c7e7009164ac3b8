package io.hypha.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hypha.api.DeadLetter;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.engine.EngineInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * When the echo bundle goes away (stopped or uninstalled) and does not come back within the grace period, the
 * messages that waited for it become dead letters with reason {@code ENGINE_STOPPED}, and their senders are told.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EchoBundleUninstallIT extends HyphaTestSupport {
    private static final long GRACE_MILLIS = 500;
    private static final int MESSAGES = 25;
    private static final EngineAddress ECHO = EngineAddress.local("echo");
    private static final String ECHO_BSN = "io.hypha.example.echo";

    private EngineDirectory directory;
    private DeadLetterLog deadLetters;
    private ProbeEngine client;

    @Configuration
    public Option[] config() {
        return new Option[] {platform(EchoBundleUninstallIT.class), coreBundles(), bundleFile("hypha-example-echo")};
    }

    @Before
    public void shortGracePeriodAndRunningEcho() throws BundleException {
        configure("io.hypha.runtime", "graceMillis", GRACE_MILLIS);
        // DS publishes the configuration as service properties once the runtime applied it (@Modified).
        awaitService(DeadLetterLog.class, "(graceMillis=" + GRACE_MILLIS + ")", Await.DEFAULT);
        directory = awaitService(EngineDirectory.class, Await.DEFAULT);
        deadLetters = awaitService(DeadLetterLog.class, Await.DEFAULT);

        Bundle echo = installedBundle(ECHO_BSN).orElse(null);
        if (echo == null) {
            echo = bundleContext.installBundle(bundleUrl("hypha-example-echo"));
        }
        echo.start();
        awaitEngine(directory, "echo", EngineInfo.State.RUNNING);
        client = ProbeEngine.register(bundleContext, "itest-uninstall-client", 0);
    }

    @After
    public void unregisterClient() {
        if (client != null) {
            client.unregister();
        }
    }

    @Test
    public void messagesForAStoppedEchoAreDeadLetteredAsEngineStoppedAfterTheGracePeriod() throws Exception {
        Bundle echo = requireBundle(ECHO_BSN);
        Instant goneAt = Instant.now();
        echo.stop();
        messagesForAGoneEchoBecomeEngineStoppedDeadLetters(goneAt);
    }

    @Test
    public void messagesForAnUninstalledEchoAreDeadLetteredAsEngineStoppedAfterTheGracePeriod() throws Exception {
        Bundle echo = requireBundle(ECHO_BSN);
        Instant goneAt = Instant.now();
        echo.uninstall();
        assertTrue("echo is uninstalled", installedBundle(ECHO_BSN).isEmpty());
        messagesForAGoneEchoBecomeEngineStoppedDeadLetters(goneAt);
    }

    private void messagesForAGoneEchoBecomeEngineStoppedDeadLetters(Instant goneAt) {
        // Unregistering an engine suspends its mailbox: messages keep queueing for the grace period.
        awaitEngine(directory, "echo", EngineInfo.State.SUSPENDED);
        long stoppedBefore = deadLetters.counts().get(DeliveryFailure.ENGINE_STOPPED);

        String tag = "run-" + goneAt.toEpochMilli() + "-";
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < MESSAGES; i++) {
            String payload = tag + i;
            client.ctx().send(ECHO, "echo.request", payload, Duration.ofMinutes(1));
            sent.add(payload);
        }
        CompletionStage<Envelope> request = client.ctx().request(ECHO, "echo.request", tag + "request", Duration.ofSeconds(30));

        // The request's stage fails with the same reason; one-way senders hear of it through onUndeliverable.
        assertEquals(DeliveryFailure.ENGINE_STOPPED, awaitFailure(request).failure());
        Await.until("the client to be told about all " + MESSAGES + " messages", Await.DEFAULT,
                () -> client.undeliverable().size() >= MESSAGES, () -> client.undeliverable().toString());
        List<DeadLetter> told = client.undeliverable();
        assertEquals(MESSAGES, told.size());
        assertEquals("every notice says ENGINE_STOPPED", Set.of(DeliveryFailure.ENGINE_STOPPED),
                told.stream().map(DeadLetter::failure).collect(Collectors.toSet()));
        assertEquals("the client was told about exactly the messages it sent", sent,
                told.stream().map(l -> (String) l.envelope().payload()).collect(Collectors.toSet()));
        assertEquals("nothing answered them", 0, client.receivedCount());

        // The dead letter log has them, with the reason, and not before the grace period ran out.
        Map<DeliveryFailure, Long> counts = deadLetters.counts();
        assertEquals("ENGINE_STOPPED dead letters: the messages and the request", stoppedBefore + MESSAGES + 1,
                (long) counts.get(DeliveryFailure.ENGINE_STOPPED));
        List<DeadLetter> logged = deadLetters.recent(1000).stream()
                .filter(l -> l.envelope().payload() instanceof String p && p.startsWith(tag))
                .toList();
        assertEquals(MESSAGES + 1, logged.size());
        for (DeadLetter letter : logged) {
            assertEquals(DeliveryFailure.ENGINE_STOPPED, letter.failure());
            assertTrue("dead-lettered at " + letter.at() + ", before the grace period after " + goneAt + " ran out",
                    !letter.at().isBefore(goneAt.plusMillis(GRACE_MILLIS)));
        }

        // The name is released: a new message finds no such engine at all.
        Await.until("echo to leave the engine directory", Await.DEFAULT, () -> engine(directory, "echo").isEmpty(),
                () -> directory.engines().toString());
        CompletionStage<Envelope> late = client.ctx().request(ECHO, "echo.request", "too-late", Duration.ofSeconds(30));
        assertEquals(DeliveryFailure.NO_SUCH_ENGINE, awaitFailure(late).failure());
    }
}
