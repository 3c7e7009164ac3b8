package io.hypha.transport.internal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.transport.internal.AdminException;
import io.hypha.transport.internal.AdminFailure;
import io.hypha.transport.internal.Drop;
import io.hypha.transport.internal.Refusal;
import io.hypha.transport.internal.TransportAdmin;
import io.hypha.transport.internal.TransportSnapshot;
import io.hypha.transport.internal.TransportSnapshot.PeerInfo;
import io.hypha.transport.internal.TransportSnapshot.PeerState;
import io.hypha.transport.internal.TransportSnapshot.ProtocolInfo;
import io.hypha.transport.internal.TransportSnapshot.Traffic;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.CommandSessionImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands through the real Gogo runtime, against a fake engine: what operators type, and what they read. */
class TransportCommandsTest {
    private static final NodeId SELF = node(1);
    private static final NodeId PEER = node(2);
    private static final NodeId OTHER = node(3);

    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final FakeAdmin admin = new FakeAdmin();
    private final TransportCommands commands = new TransportCommands();
    private CommandProcessorImpl processor;
    private CommandSessionImpl session;

    private static NodeId node(int b) {
        byte[] key = new byte[NodeId.LENGTH];
        Arrays.fill(key, (byte) (b * 17));
        return NodeId.of(key);
    }

    private static Map<Drop, Long> drops(Drop d, long n) {
        Map<Drop, Long> m = new EnumMap<>(Drop.class);
        for (Drop x : Drop.values()) {
            m.put(x, x == d ? n : 0L);
        }
        return m;
    }

    private static Map<Refusal, Long> refusals(Refusal r, long n) {
        Map<Refusal, Long> m = new EnumMap<>(Refusal.class);
        for (Refusal x : Refusal.values()) {
            m.put(x, x == r ? n : 0L);
        }
        return m;
    }

    /** A canned engine. */
    static final class FakeAdmin implements TransportAdmin {
        @Override
        public boolean knows(io.hypha.api.NodeId node) {
            return false;
        }

        @Override
        public java.util.Set<io.hypha.api.NodeId> connectedPeers() {
            return java.util.Set.of();
        }

        @Override
        public CompletionStage<Void> learnAdvertised(io.hypha.api.NodeId node, List<io.hypha.api.advert.TransportAddress> addresses) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public void addListener(io.hypha.api.transport.NetworkListener listener) {
        }

        @Override
        public void removeListener(io.hypha.api.transport.NetworkListener listener) {
        }

        @Override
        public void useAdverts(io.hypha.api.advert.AdvertDirectory directory) {
        }

        List<URI> listening = List.of(URI.create("tls://127.0.0.1:4001"), URI.create("quic://127.0.0.1:4002"));
        final Deque<CompletionStage<PingResult>> pongs = new ArrayDeque<>();
        CompletionStage<ConnectResult> connect;
        URI connected;
        TransportSnapshot snapshot = new TransportSnapshot(SELF,
                List.of(new ProtocolInfo("quic", true, List.of(URI.create("quic://127.0.0.1:4002")), 1,
                                new Traffic(10, 20, 1000, 2000), drops(Drop.DUPLICATE, 3), refusals(Refusal.MALFORMED, 1),
                                Map.of("refused.malformed", 2L, "connections.inbound", 5L, "closed.io", 0L)),
                        new ProtocolInfo("tls", false, List.of(), 0, new Traffic(0, 0, 0, 0), drops(Drop.EXPIRED, 0),
                                refusals(Refusal.DENIED, 0), Map.of())),
                List.of(new PeerInfo(PEER, PeerState.CONNECTED, true, "quic", URI.create("quic://127.0.0.1:5002"), 231, 4, 7, 1,
                                new Traffic(1, 2, 3, 4), drops(Drop.EXPIRED, 0)),
                        new PeerInfo(OTHER, PeerState.DISCONNECTED, false, "", null, -1, 0, 0, 0,
                                new Traffic(0, 0, 0, 0), drops(Drop.EXPIRED, 0))),
                drops(Drop.BUFFER_FULL, 5));

        @Override
        public NodeId self() {
            return SELF;
        }

        @Override
        public List<URI> listening() {
            return listening;
        }

        @Override
        public CompletionStage<ConnectResult> connect(URI address) {
            connected = address;
            return connect;
        }

        @Override
        public CompletionStage<PingResult> ping(NodeId node) {
            return pongs.poll();
        }

        @Override
        public CompletionStage<TransportSnapshot> snapshot() {
            return CompletableFuture.completedFuture(snapshot);
        }
    }

    @BeforeEach
    void setUp() {
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
        commands.admin = admin;
        for (String f : List.of("listen", "connect", "peers", "ping", "transports")) {
            processor.addCommand("hypha", commands, f);
        }
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @AfterEach
    void tearDown() {
        session.close();
        processor.stop();
        threadIO.stop();
    }

    private String run(String line) throws Exception {
        Object result = session.execute(line);
        return out.toString(StandardCharsets.UTF_8) + (result == null ? "" : result);
    }

    @Test
    void listenPrintsOneAddressPerLine() throws Exception {
        assertThat(run("hypha:listen")).isEqualTo("tls://127.0.0.1:4001\nquic://127.0.0.1:4002\n");
    }

    @Test
    void connectPrintsTheNodeReached() throws Exception {
        admin.connect = CompletableFuture.completedFuture(new TransportAdmin.ConnectResult(PEER, URI.create("tls://127.0.0.1:5001")));

        assertThat(run("hypha:connect tls://127.0.0.1:5001")).isEqualTo("connected to " + PEER + " at tls://127.0.0.1:5001 (kept connected)\n");
        assertThat(admin.connected).isEqualTo(URI.create("tls://127.0.0.1:5001"));
    }

    @Test
    void aFailedConnectFailsTheCommandWithTheEnginesReason() {
        admin.connect = CompletableFuture.failedFuture(new AdminException(AdminFailure.REFUSED, "refused: DENIED"));

        assertThatThrownBy(() -> session.execute("hypha:connect tls://127.0.0.1:5001")).isInstanceOf(AdminException.class)
                .hasMessage("refused: DENIED");
    }

    @Test
    void peersListsEachPeerWithProtocolAddressRttQueuedAndUnacked() throws Exception {
        String text = run("hypha:peers");

        assertThat(text.lines().toList()).hasSize(3);
        assertThat(text.lines().findFirst().orElseThrow()).startsWith("NODE").contains("PROTOCOL", "ADDRESS", "RTT", "QUEUED", "UNACKED");
        assertThat(text).containsPattern(PEER + " +CONNECTED +permanent +quic +quic://127.0.0.1:5002 +0.231 ms +4 +7\n");
        assertThat(text).containsPattern(OTHER + " +DISCONNECTED +ephemeral +- +- +- +0 +0\n");
    }

    @Test
    void pingSendsCountPingsToAPeerNamedByAPrefixAndSummarises() throws Exception {
        URI at = URI.create("quic://127.0.0.1:5002");
        admin.pongs.add(CompletableFuture.completedFuture(new TransportAdmin.PingResult(PEER, at, 200)));
        admin.pongs.add(CompletableFuture.failedFuture(new AdminException(AdminFailure.TIMEOUT, "no pong within 8000 ms")));
        admin.pongs.add(CompletableFuture.completedFuture(new TransportAdmin.PingResult(PEER, at, 400)));

        String text = run("hypha:ping " + PEER.toString().substring(0, 6) + " 3");

        assertThat(text).isEqualTo("pong 1 from " + PEER.shortForm() + " over " + at + ": time=0.200 ms\n"
                + "ping 2: no pong within 8000 ms\n"
                + "pong 3 from " + PEER.shortForm() + " over " + at + ": time=0.400 ms\n"
                + "3 sent, 2 answered, rtt min/avg/max = 0.200/0.300/0.400 ms\n");
    }

    @Test
    void pingWithoutCountSendsOneAndFailsWhenNoPeerMatches() throws Exception {
        admin.pongs.add(CompletableFuture.completedFuture(new TransportAdmin.PingResult(PEER, URI.create("quic://h:1"), 50)));

        assertThat(run("hypha:ping " + PEER)).startsWith("pong 1 from").endsWith("1 sent, 1 answered, rtt min/avg/max = 0.050/0.050/0.050 ms\n");
        assertThatThrownBy(() -> session.execute("hypha:ping zzzz")).isInstanceOf(AdminException.class)
                .hasMessageContaining("no peer's node id starts with 'zzzz'");
    }

    @Test
    void transportsShowsProtocolsTrafficDropsAndRefusals() throws Exception {
        String text = run("hypha:transports");

        assertThat(text).containsPattern("quic +yes +quic://127.0.0.1:4002 +1 +10 +20 +1000 +2000\n");
        assertThat(text).containsPattern("tls +no +- +0 +0 +0 +0 +0\n");
        assertThat(text).contains("drops quic: duplicate=3\n", "refused quic: malformed=1\n", "drops tls: none\n",
                "sessions: 2 (1 connected), queued 4, unacked 7\n", "refused at send: buffer_full=5\n");
    }

    @Test
    void transportsShowsEachInstalledProtocolsNonZeroMetricsSortedByName() throws Exception {
        String text = run("hypha:transports");

        assertThat(text).contains("metrics quic: connections.inbound=5 refused.malformed=2\n");
        assertThat(text).as("a protocol that is not installed has no metrics line").doesNotContain("metrics tls:");
    }

    @Test
    void transportsSaysNoneWhenAnInstalledProtocolsMetricsAreAllZero() throws Exception {
        TransportSnapshot s = admin.snapshot;
        ProtocolInfo quic = s.protocols().get(0);
        admin.snapshot = new TransportSnapshot(s.self(), List.of(new ProtocolInfo(quic.scheme(), true, quic.listening(),
                quic.connections(), quic.traffic(), quic.drops(), quic.refusals(), Map.of("closed.io", 0L))), s.peers(),
                s.forwardRefusals());

        assertThat(run("hypha:transports")).contains("metrics quic: none\n");
    }

    @Test
    void everyCommandSaysWhatToDoWhenTheEngineIsNotRunning() {
        commands.admin = null;

        for (String line : List.of("hypha:listen", "hypha:peers", "hypha:transports", "hypha:connect tls://h:1", "hypha:ping abc")) {
            assertThatThrownBy(() -> session.execute(line)).as(line).isInstanceOf(AdminException.class)
                    .hasMessageContaining("transport engine is not running");
        }
    }

    @Test
    void listenWithNothingBoundSaysWhy() throws Exception {
        admin.listening = List.of();

        assertThat(run("hypha:listen")).startsWith("not listening").contains("feature tls or quic");
    }
}
