package io.hypha.testkit.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hypha.api.NodeId;
import io.hypha.api.transport.Connection;
import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportCredentials;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import io.hypha.api.transport.TransportProtocol;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link TransportProtocol} must meet, as a JUnit 5 test class to extend: dial and listen,
 * authentication both ways, whole ordered frames, frame limits, backpressure, close and error behaviour, and the
 * callback rules of {@link io.hypha.api.transport.ConnectionHandler}.
 *
 * <h2>Extending it</h2>
 * <pre>{@code
 * class MyTransportContractTest extends TransportProtocolContract {
 *     protected TransportProtocol newProtocol() { return new MyTransport(MyTransport.Settings.DEFAULTS); }
 *     protected TransportCredentials newCredentials() { return ...; }   // a fresh node identity each call
 *     protected URI bindAddress() { return URI.create("my://127.0.0.1:0"); }
 *     protected void dispose(TransportProtocol protocol) { ((MyTransport) protocol).stop(); }
 * }
 * }</pre>
 * Each test makes its nodes with {@link #newNode}: one protocol instance and one identity per node, as on two real
 * nodes. Everything a test opened is closed after it, then {@link #dispose} stops each protocol, and every node's
 * {@link RecordingConnectionHandler} is checked for broken callback rules.
 *
 * <h2>Credentials</h2>
 * {@link #newCredentials()} must return real node credentials (a certificate with the node identity extension of
 * docs/wire-protocol.md, section 1): the suite learns a node's id with {@code verifyPeer} on its own certificate.
 * Hypha's own transports make them with the identity bundle's classes, used as a test dependency.
 *
 * <h2>Waiting</h2>
 * Nothing sleeps: each test waits for what it expects with a deadline of {@link #timeout()}, so a passing test is as
 * fast as the protocol. To skip a case that cannot apply to a protocol, override its method without {@code @Test}
 * (or with {@code @Disabled("why")}).
 */
public abstract class TransportProtocolContract {
    /** Frames of the "many small frames" cases. */
    private static final int MANY = 1000;

    private final List<Node> nodes = new ArrayList<>();

    // ---------------------------------------------------------------- what a subclass provides

    /**
     * @return a new, ready instance of the protocol under test; each node of a test gets its own
     * @throws Exception if it cannot be made
     */
    protected abstract TransportProtocol newProtocol() throws Exception;

    /**
     * @return credentials of a new node identity, different on each call
     * @throws Exception if they cannot be made
     */
    protected abstract TransportCredentials newCredentials() throws Exception;

    /** @return where nodes listen: the protocol's scheme, a loopback host and port 0, e.g. {@code tls://127.0.0.1:0} */
    protected abstract URI bindAddress();

    /**
     * Stops a protocol instance after a test (what deactivating its component does). The default closes it if it is
     * {@link AutoCloseable}.
     *
     * @param protocol an instance from {@link #newProtocol()}
     * @throws Exception if it fails to stop
     */
    protected void dispose(TransportProtocol protocol) throws Exception {
        if (protocol instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * @return how long a test waits for anything it expects: 20 seconds unless overridden. Only a failing test waits
     *         that long; it is generous because test machines are often loaded. It also bounds how fast a dial to a
     *         dead address must fail.
     */
    protected Duration timeout() {
        return Duration.ofSeconds(20);
    }

    /** @return the maximum frame size of the nodes' contexts: 65,536 bytes unless overridden */
    protected int maxFrameSize() {
        return TestTransportContext.DEFAULT_MAX_FRAME_SIZE;
    }

    // ---------------------------------------------------------------- the contract

    /** Listening on port 0 yields the port actually bound, and peers reach it there. */
    @Test
    public void listeningOnPortZeroYieldsTheAddressActuallyBound() {
        Node a = newNode("a");
        Node b = newNode("b");

        URI address = a.listen().address();

        assertNotNull(address, "ListeningEndpoint.address()");
        assertTrue(bindAddress().getScheme().equalsIgnoreCase(address.getScheme()), "scheme of " + address);
        assertEquals(bindAddress().getHost(), address.getHost(), "host of " + address);
        if (bindAddress().getPort() == 0) {
            assertTrue(address.getPort() > 0, "a real port in " + address);
        }
        assertTrue(b.dial(address, a.id).isOpen());
    }

    /** A second endpoint on an address already bound is refused as a bad address. */
    @Test
    public void listeningOnAnAddressInUseFailsWithBadAddress() {
        Node a = newNode("a");
        URI address = a.listen().address();

        TransportException e = awaitFailure(a.protocol.listen(address, a.context));

        assertEquals(TransportError.BAD_ADDRESS, e.error(), e::toString);
    }

    /** Addresses of another scheme are refused by both listen and dial. */
    @Test
    public void addressesOfAnotherSchemeAreRefusedWithBadAddress() {
        Node a = newNode("a");
        URI other = URI.create("no-such-scheme://127.0.0.1:0");

        TransportException listen = awaitFailure(a.protocol.listen(other, a.context));
        TransportException dial = awaitFailure(a.protocol.dial(URI.create("no-such-scheme://127.0.0.1:9"), null, a.context));

        assertEquals(TransportError.BAD_ADDRESS, listen.error(), listen::toString);
        assertEquals(TransportError.BAD_ADDRESS, dial.error(), dial::toString);
    }

    /** Both ends learn who the other is from the handshake: the dialler from dial, the listener from onConnected. */
    @Test
    public void theDiallerLearnsTheListenersNodeIdAndTheListenerTheDiallers() {
        Node a = newNode("a");
        Node b = newNode("b");
        URI address = a.listen().address();

        Connection out = b.dial(address, a.id);
        Connection in = a.handler.awaitConnected(1, timeout()).get(0);

        assertEquals(a.id, out.peer());
        assertTrue(out.outbound());
        assertTrue(out.isOpen());
        assertTrue(bindAddress().getScheme().equalsIgnoreCase(out.remoteAddress().getScheme()), out.remoteAddress()::toString);
        assertEquals(b.id, in.peer());
        assertFalse(in.outbound());
        assertTrue(in.isOpen());
        assertTrue(bindAddress().getScheme().equalsIgnoreCase(in.remoteAddress().getScheme()), in.remoteAddress()::toString);
        // The same objects carry the frames: callbacks name the connection the dial returned and onConnected announced.
        sendAll(b, out, List.of(TestFrames.frame(1, 0, 32)));
        sendAll(a, in, List.of(TestFrames.frame(2, 0, 32)));
        assertArrayEquals(TestFrames.bytes(1, 0, 32), a.handler.awaitFrames(in, 1, timeout()).get(0));
        assertArrayEquals(TestFrames.bytes(2, 0, 32), b.handler.awaitFrames(out, 1, timeout()).get(0));
    }

    /** Without an expected node, the dial accepts any authenticated peer and reports who it is. */
    @Test
    public void diallingWithoutAnExpectedNodeAcceptsAnyAuthenticatedPeer() {
        Node a = newNode("a");
        Node b = newNode("b");

        Connection out = b.dial(a.listen().address(), null);

        assertEquals(a.id, out.peer());
        assertEquals(b.id, a.handler.awaitConnected(1, timeout()).get(0).peer());
    }

    /**
     * Frames arrive whole and in order, in both directions at once: one small, one empty, one of the maximum size,
     * then 1,000 small ones of varied sizes.
     */
    @Test
    public void framesArriveWholeAndInOrderInBothDirections() throws Exception {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);
        List<byte[]> toA = sequence(1);
        List<byte[]> toB = sequence(2);

        CompletableFuture<Void> sending = inThread(() -> sendAll(b, link.out, buffers(toA)));
        sendAll(a, link.in, buffers(toB));
        sending.get(timeout().toMillis(), TimeUnit.MILLISECONDS);

        assertFramesEqual(toA, a.handler.awaitFrames(link.in, toA.size(), timeout()));
        assertFramesEqual(toB, b.handler.awaitFrames(link.out, toB.size(), timeout()));
    }

    /** A dialler that expects another node refuses the listener, and the listener announces no connection. */
    @Test
    public void diallingWithTheWrongExpectedNodeFailsWithAuthenticationFailedAndTheListenerSeesNoConnection()
            throws Exception {
        Node a = newNode("a");
        Node b = newNode("b");
        NodeId somebodyElse = idOf(newCredentials());
        URI address = a.listen().address();

        TransportException e = awaitFailure(b.protocol.dial(address, somebodyElse, b.context));

        assertEquals(TransportError.AUTHENTICATION_FAILED, e.error(), e::toString);
        // A later, good connection is the first the listener announces.
        b.dial(address, a.id);
        assertEquals(b.id, a.handler.awaitConnected(1, timeout()).get(0).peer());
        assertEquals(1, a.handler.connected().size(), "inbound connections announced");
    }

    /**
     * A listener whose credentials refuse the dialler's identity announces no connection for it (the dialler sees
     * its dial fail or its connection close), and goes on accepting other peers.
     */
    @Test
    public void aListenerRefusesADiallerItsCredentialsRejectAndKeepsServingOthers() throws Exception {
        TransportCredentials impostorCredentials = newCredentials();
        NodeId impostorId = idOf(impostorCredentials);
        Node a = newNode("a", new RejectingCredentials(newCredentials(), impostorId), maxFrameSize());
        Node impostor = newNode("impostor", impostorCredentials, maxFrameSize());
        Node b = newNode("b");
        URI address = a.listen().address();

        // In TLS 1.3 the client finishes its handshake before the server checks the client's certificate, so the
        // dial may succeed and the connection close just after.
        CompletableFuture<Connection> dial = impostor.protocol.dial(address, a.id, impostor.context).toCompletableFuture();
        try {
            Connection refused = dial.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            impostor.handler.awaitClosed(refused, timeout());
            assertFalse(refused.isOpen());
        } catch (ExecutionException expected) {
            assertTrue(unwrap(expected) instanceof TransportException, () -> "dial failed with " + expected.getCause());
        }

        b.dial(address, a.id);
        assertEquals(b.id, a.handler.awaitConnected(1, timeout()).get(0).peer());
        assertEquals(1, a.handler.connected().size(), "inbound connections announced");
    }

    /** A frame above the maximum is refused by send; the connection stays open and usable. */
    @Test
    public void sendingAFrameAboveTheMaximumThrowsAndTheConnectionStaysUsable() {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);

        assertThrows(IllegalArgumentException.class, () -> link.out.send(ByteBuffer.allocate(maxFrameSize() + 1)));

        assertTrue(link.out.isOpen());
        sendAll(b, link.out, List.of(TestFrames.frame(1, 0, 100)));
        assertArrayEquals(TestFrames.bytes(1, 0, 100), a.handler.awaitFrames(link.in, 1, timeout()).get(0));
    }

    /**
     * A frame above the receiver's maximum (sent by a peer with a larger one) closes the connection with
     * {@link TransportError#FRAME_TOO_LARGE} instead of being delivered; the receiver keeps serving.
     */
    @Test
    public void aFrameAboveTheReceiversMaximumClosesTheConnectionWithFrameTooLarge() throws Exception {
        Node a = newNode("a");
        Node b = newNode("b", newCredentials(), maxFrameSize() * 2);
        Link link = link(b, a);

        assertTrue(link.out.send(TestFrames.frame(1, 0, maxFrameSize() + 1)), "send within the sender's maximum");

        Optional<TransportException> cause = a.handler.awaitClosed(link.in, timeout());
        assertEquals(TransportError.FRAME_TOO_LARGE, cause.map(TransportException::error).orElse(null),
                () -> "cause: " + cause);
        assertEquals(0, a.handler.frames(link.in).size(), "frames delivered");
        b.handler.awaitClosed(link.out, timeout());
        Link again = link(b, a);
        sendAll(b, again.out, List.of(TestFrames.frame(1, 1, 100)));
        assertArrayEquals(TestFrames.bytes(1, 1, 100), a.handler.awaitFrames(again.in, 1, timeout()).get(0));
    }

    /**
     * Closing one side closes both: each gets one onClosed (an orderly one: no cause on the closing side, none or
     * {@link TransportError#CLOSED} on the other), isOpen turns false and send returns false. Close is idempotent.
     */
    @Test
    public void closingOneSideClosesBothAndSendThenReturnsFalse() {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);

        link.out.close();
        link.out.close();

        assertEquals(Optional.empty(), b.handler.awaitClosed(link.out, timeout()));
        Optional<TransportException> remote = a.handler.awaitClosed(link.in, timeout());
        assertTrue(remote.isEmpty() || remote.get().error() == TransportError.CLOSED, () -> "peer's cause: " + remote);
        assertFalse(link.out.isOpen());
        assertFalse(link.in.isOpen());
        assertFalse(link.out.send(TestFrames.frame(1, 0, 16)));
        assertFalse(link.in.send(TestFrames.frame(2, 0, 16)));
        link.in.close();
    }

    /** Closing a listening endpoint stops new connections; the open ones keep working both ways. */
    @Test
    public void closingTheListeningEndpointStopsNewConnectionsButKeepsOpenOnes() {
        Node a = newNode("a");
        Node b = newNode("b");
        ListeningEndpoint endpoint = a.listen();
        Connection out = b.dial(endpoint.address(), a.id);
        Connection in = a.handler.awaitConnected(1, timeout()).get(0);

        endpoint.close();
        endpoint.close();

        awaitFailure(b.protocol.dial(endpoint.address(), a.id, b.context));
        assertEquals(1, a.handler.connected().size(), "inbound connections announced");
        sendAll(b, out, List.of(TestFrames.frame(1, 0, 64)));
        sendAll(a, in, List.of(TestFrames.frame(2, 0, 64)));
        assertArrayEquals(TestFrames.bytes(1, 0, 64), a.handler.awaitFrames(in, 1, timeout()).get(0));
        assertArrayEquals(TestFrames.bytes(2, 0, 64), b.handler.awaitFrames(out, 1, timeout()).get(0));
    }

    /** A dial to an address where nothing listens fails as unreachable or timed out, within the test's timeout. */
    @Test
    public void diallingAnAddressWhereNothingListensFailsPromptly() {
        Node a = newNode("a");
        Node b = newNode("b");
        ListeningEndpoint endpoint = a.listen();
        endpoint.close();

        TransportException e = awaitFailure(b.protocol.dial(endpoint.address(), a.id, b.context));

        assertTrue(EnumSet.of(TransportError.UNREACHABLE, TransportError.TIMEOUT).contains(e.error()), e::toString);
    }

    /**
     * The outbound buffer is bounded: when the peer stops reading, send returns false (the frame not taken) before
     * 256 MiB are queued; onWritable follows once the peer reads again, and every frame taken arrives, in order.
     */
    @Test
    public void sendReturnsFalseWhenThePeerStopsReadingAndOnWritableFollows() {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);
        int size = Math.min(16_384, maxFrameSize());
        int cap = (256 << 20) / size;
        a.handler.holdFrames();

        int taken = 0;
        while (taken < cap && link.out.send(TestFrames.frame(1, taken, size))) {
            taken++;
        }
        assertTrue(taken < cap, "send still took frames after " + cap + " frames of " + size + " bytes: is the "
                + "outbound buffer bounded?");
        a.handler.releaseFrames();

        b.handler.awaitWritable(link.out, 1, timeout());
        sendAll(b, link.out, List.of(TestFrames.frame(1, taken, size)));
        List<byte[]> received = a.handler.awaitFrames(link.in, taken + 1, timeout());
        for (int i = 0; i <= taken; i++) {
            TestFrames.check(received.get(i));
            assertEquals(i, TestFrames.index(received.get(i)), "frame order");
        }
    }

    /**
     * Callbacks for one connection come one at a time and in order, even while several threads send on it and the
     * peer sends back: each sender's frames arrive in its order.
     */
    @Test
    public void callbacksForOneConnectionNeverOverlapAndKeepEachSendersOrder() throws Exception {
        Node a = newNode("a");
        Node b = newNode("b");
        Link link = link(b, a);
        int senders = 4;
        int each = MANY / senders;

        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int tag = s;
            List<ByteBuffer> frames = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                frames.add(TestFrames.frame(tag, i, 8 + (i * 13 + tag) % 300));
            }
            sending.add(inThread(() -> sendAll(b, link.out, frames)));
        }
        List<ByteBuffer> back = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            back.add(TestFrames.frame(99, i, 8 + i % 100));
        }
        sendAll(a, link.in, back);
        CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(timeout().toMillis(), TimeUnit.MILLISECONDS);

        int[] next = new int[senders];
        for (byte[] frame : a.handler.awaitFrames(link.in, senders * each, timeout())) {
            int tag = TestFrames.tag(frame);
            assertEquals(next[tag]++, TestFrames.index(frame), () -> "order of sender " + tag);
        }
        List<byte[]> returned = b.handler.awaitFrames(link.out, MANY, timeout());
        for (int i = 0; i < MANY; i++) {
            assertEquals(i, TestFrames.index(returned.get(i)), "order of the returned frames");
        }
        a.handler.assertNoViolations();
        b.handler.assertNoViolations();
    }

    /** Two connections between the same two nodes are independent: closing one leaves the other working. */
    @Test
    public void twoConnectionsBetweenTheSameNodesAreIndependent() {
        Node a = newNode("a");
        Node b = newNode("b");
        Link first = link(b, a);
        Link second = link(b, a);

        assertNotSame(first.out, second.out);
        assertNotSame(first.in, second.in);
        first.out.close();
        a.handler.awaitClosed(first.in, timeout());

        assertTrue(second.out.isOpen());
        sendAll(b, second.out, List.of(TestFrames.frame(1, 0, 50)));
        sendAll(a, second.in, List.of(TestFrames.frame(2, 0, 50)));
        assertArrayEquals(TestFrames.bytes(1, 0, 50), a.handler.awaitFrames(second.in, 1, timeout()).get(0));
        assertArrayEquals(TestFrames.bytes(2, 0, 50), b.handler.awaitFrames(second.out, 1, timeout()).get(0));
    }

    /**
     * Stopping a protocol (its component deactivating) closes its connections: its own handler gets onClosed for
     * each, and so does the peer's. Skipped when neither {@link #dispose} is overridden nor the protocol is
     * {@link AutoCloseable}.
     */
    @Test
    public void stoppingAProtocolClosesItsConnectionsOnBothSides() throws Exception {
        Node a = newNode("a");
        Node b = newNode("b");
        Assumptions.assumeTrue(b.protocol instanceof AutoCloseable || disposeIsOverridden(),
                "the protocol cannot be stopped: dispose() is not overridden and it is not AutoCloseable");
        Link link = link(b, a);

        b.dispose();

        b.handler.awaitClosed(link.out, timeout());
        a.handler.awaitClosed(link.in, timeout());
        assertFalse(link.out.isOpen());
        assertFalse(link.out.send(TestFrames.frame(1, 0, 16)));
    }

    // ---------------------------------------------------------------- helpers for subclasses

    /**
     * A node of a test: a protocol instance, an identity, a recording handler and a context. Made by
     * {@link #newNode}; closed after the test.
     */
    protected final class Node {
        /** Names the node in messages. */
        public final String name;
        /** The node's protocol instance. */
        public final TransportProtocol protocol;
        /** The node's credentials. */
        public final TransportCredentials credentials;
        /** The node's id, as its credentials prove it. */
        public final NodeId id;
        /** Records what the protocol reports to this node. */
        public final RecordingConnectionHandler handler;
        /** The context given to every listen and dial of this node. */
        public final TestTransportContext context;
        private final List<ListeningEndpoint> endpoints = Collections.synchronizedList(new ArrayList<>());
        private final List<Connection> dialled = Collections.synchronizedList(new ArrayList<>());
        private boolean disposed;

        private Node(String name, TransportProtocol protocol, TransportCredentials credentials, int maxFrameSize) {
            this.name = name;
            this.protocol = protocol;
            this.credentials = credentials;
            this.id = idOf(credentials);
            this.handler = new RecordingConnectionHandler(name);
            this.context = new TestTransportContext(credentials, maxFrameSize,
                    TestTransportContext.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, handler);
        }

        /** @return a new endpoint on {@link #bindAddress()}, closed after the test */
        public ListeningEndpoint listen() {
            ListeningEndpoint endpoint = await(protocol.listen(bindAddress(), context));
            endpoints.add(endpoint);
            return endpoint;
        }

        /**
         * @param address  where to dial
         * @param expected the node that must answer, or {@code null} for any
         * @return the authenticated connection, closed after the test
         */
        public Connection dial(URI address, NodeId expected) {
            Connection connection = await(protocol.dial(address, expected, context));
            dialled.add(connection);
            return connection;
        }

        private void closeAll() {
            handler.releaseFrames();
            dialled.forEach(Connection::close);
            handler.connected().forEach(Connection::close);
            endpoints.forEach(ListeningEndpoint::close);
        }

        private void dispose() throws Exception {
            if (!disposed) {
                disposed = true;
                TransportProtocolContract.this.dispose(protocol);
            }
        }

        @Override
        public String toString() {
            return name + " (" + id + ")";
        }
    }

    /**
     * A connection seen from both ends.
     *
     * @param out the dialler's side
     * @param in  the listener's side
     */
    protected record Link(Connection out, Connection in) {
    }

    /**
     * @param name names the node in messages
     * @return a new node with its own protocol instance and identity, and the default maximum frame size
     */
    protected Node newNode(String name) {
        try {
            return newNode(name, newCredentials(), maxFrameSize());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not make credentials for node " + name, e);
        }
    }

    /**
     * @param name         names the node in messages
     * @param credentials  its credentials
     * @param maxFrameSize its maximum frame size
     * @return a new node with its own protocol instance
     */
    protected Node newNode(String name, TransportCredentials credentials, int maxFrameSize) {
        TransportProtocol protocol;
        try {
            protocol = newProtocol();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not make a protocol instance for node " + name, e);
        }
        Node node = new Node(name, protocol, credentials, maxFrameSize);
        synchronized (nodes) {
            nodes.add(node);
        }
        return node;
    }

    /**
     * Dials {@code listener} from {@code dialler} (listening first if it has no endpoint yet) and waits for both
     * ends.
     *
     * @param dialler  the node that dials
     * @param listener the node dialled
     * @return both ends of the new connection
     */
    protected Link link(Node dialler, Node listener) {
        ListeningEndpoint endpoint = listener.endpoints.isEmpty() ? listener.listen() : listener.endpoints.get(0);
        int before = listener.handler.connected().size();
        Connection out = dialler.dial(endpoint.address(), listener.id);
        Connection in = listener.handler.awaitConnected(before + 1, timeout()).get(before);
        assertEquals(dialler.id, in.peer());
        return new Link(out, in);
    }

    /**
     * Sends frames in order, waiting for onWritable whenever send refuses one (never dropping it).
     *
     * @param sender     the node that owns {@code connection}
     * @param connection the connection
     * @param frames     the frames
     */
    protected void sendAll(Node sender, Connection connection, List<ByteBuffer> frames) {
        for (ByteBuffer frame : frames) {
            while (true) {
                int writable = sender.handler.writableCount(connection);
                if (connection.send(frame.duplicate())) {
                    break;
                }
                assertTrue(connection.isOpen(), "the connection closed while sending");
                sender.handler.awaitWritable(connection, writable + 1, timeout());
            }
        }
    }

    /**
     * @param stage a protocol's stage
     * @param <T>   its value's type
     * @return its value, within {@link #timeout()}
     * @throws AssertionError if it failed or took too long
     */
    protected <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the operation failed: " + unwrap(e), unwrap(e));
        } catch (TimeoutException e) {
            throw new AssertionError("the operation did not complete in " + timeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * @param stage a protocol's stage that must fail
     * @return its {@link TransportException}, within {@link #timeout()}
     * @throws AssertionError if it succeeded, failed otherwise, or took too long (a successful connection or
     *                        endpoint is closed first)
     */
    protected TransportException awaitFailure(CompletionStage<?> stage) {
        Object value;
        try {
            value = stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof TransportException te) {
                return te;
            }
            throw new AssertionError("failed with " + cause + " instead of a TransportException", cause);
        } catch (TimeoutException e) {
            throw new AssertionError("did not fail within " + timeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (value instanceof Connection connection) {
            connection.close();
        } else if (value instanceof ListeningEndpoint endpoint) {
            endpoint.close();
        }
        return fail("expected a failure, got " + value);
    }

    /**
     * @param credentials node credentials
     * @return the node id they prove (their own certificate, verified by themselves)
     */
    protected static NodeId idOf(TransportCredentials credentials) {
        try {
            return credentials.verifyPeer(new X509Certificate[] {credentials.certificate()}, null);
        } catch (TransportException e) {
            throw new AssertionError("the credentials do not verify their own certificate: " + e, e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Runs a task in a thread of its own (the common pool may have a single thread on a small machine). */
    private static CompletableFuture<Void> inThread(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "contract-sender");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private boolean disposeIsOverridden() {
        for (Class<?> c = getClass(); c != TransportProtocolContract.class; c = c.getSuperclass()) {
            try {
                c.getDeclaredMethod("dispose", TransportProtocol.class);
                return true;
            } catch (NoSuchMethodException e) {
                // look further up
            }
        }
        return false;
    }

    private List<byte[]> sequence(int tag) {
        List<byte[]> frames = new ArrayList<>();
        frames.add(TestFrames.bytes(tag, 0, 20));
        frames.add(new byte[0]);
        frames.add(TestFrames.bytes(tag, 2, maxFrameSize()));
        for (int i = 0; i < MANY; i++) {
            frames.add(TestFrames.bytes(tag, 3 + i, 8 + (i * 7) % 200));
        }
        return frames;
    }

    private static List<ByteBuffer> buffers(List<byte[]> frames) {
        List<ByteBuffer> buffers = new ArrayList<>(frames.size());
        frames.forEach(f -> buffers.add(ByteBuffer.wrap(f)));
        return buffers;
    }

    private static void assertFramesEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            int index = i;
            assertArrayEquals(expected.get(i), actual.get(i), () -> "frame " + index);
        }
    }

    // ---------------------------------------------------------------- after each test

    @AfterEach
    final void closeNodesAndCheckTheCallbackRules() throws Exception {
        List<Node> all;
        synchronized (nodes) {
            all = List.copyOf(nodes);
            nodes.clear();
        }
        Exception failure = null;
        for (Node node : all) {
            try {
                node.closeAll();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        for (Node node : all) {
            try {
                node.dispose();
            } catch (Exception e) {
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        for (Node node : all) {
            node.handler.assertNoViolations();
        }
    }

    private static Exception add(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Credentials that refuse some nodes on top of what their delegate refuses: a listener's deny list. */
    private static final class RejectingCredentials implements TransportCredentials {
        private final TransportCredentials delegate;
        private final Set<NodeId> rejected;

        RejectingCredentials(TransportCredentials delegate, NodeId... rejected) {
            this.delegate = delegate;
            this.rejected = Set.of(rejected);
        }

        @Override
        public X509Certificate certificate() {
            return delegate.certificate();
        }

        @Override
        public PrivateKey certificateKey() {
            return delegate.certificateKey();
        }

        @Override
        public NodeId verifyPeer(X509Certificate[] chain, NodeId expected) throws TransportException {
            NodeId peer = delegate.verifyPeer(chain, expected);
            if (rejected.contains(peer)) {
                throw new TransportException(TransportError.AUTHENTICATION_FAILED, "node " + peer + " is refused", null);
            }
            return peer;
        }
    }
}
