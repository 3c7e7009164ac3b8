package io.hypha.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exported Network service turns the engine's connect results into the API's typed ones. */
class NetworkComponentTest {
    private static final NodeId PEER = NodeId.of(new byte[] {
            (byte) 0xd7, 0x5a, (byte) 0x98, 0x01, (byte) 0x82, (byte) 0xb1, 0x0a, (byte) 0xb7, (byte) 0xd5, 0x4b, (byte) 0xfe,
            (byte) 0xd3, (byte) 0xc9, 0x64, 0x07, 0x3a, 0x0e, (byte) 0xe1, 0x72, (byte) 0xf3, (byte) 0xda, (byte) 0xa6, 0x23,
            0x25, (byte) 0xaf, 0x02, 0x1a, 0x68, (byte) 0xf7, 0x07, 0x51, 0x1a});

    /** An admin whose connect answers with the given stage; every other call fails the test. */
    private static TransportAdmin connecting(CompletionStage<TransportAdmin.ConnectResult> answer) {
        return (TransportAdmin) Proxy.newProxyInstance(TransportAdmin.class.getClassLoader(), new Class<?>[] {TransportAdmin.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("connect")) {
                        return answer;
                    }
                    throw new AssertionError("unexpected call " + method.getName());
                });
    }

    private static Throwable failureOf(CompletionStage<NodeId> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
            throw new AssertionError("the connect did not fail");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aConnectCompletesWithTheAuthenticatedPeer() throws Exception {
        URI address = URI.create("tls://127.0.0.1:4001");
        NetworkComponent network = new NetworkComponent(connecting(
                CompletableFuture.completedFuture(new TransportAdmin.ConnectResult(PEER, address))));
        assertThat(network.connect(address).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(PEER);
    }

    @Test
    void engineFailuresBecomeTypedTransportErrors() throws Exception {
        assertThat(failureOf(new NetworkComponent(connecting(CompletableFuture.failedFuture(
                new AdminException(AdminFailure.BAD_ADDRESS, "no port")))).connect(URI.create("tls://x"))))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.error()).isEqualTo(TransportError.BAD_ADDRESS));
        assertThat(failureOf(new NetworkComponent(connecting(CompletableFuture.failedFuture(
                new AdminException(AdminFailure.TIMEOUT, "slow")))).connect(URI.create("tls://127.0.0.1:1"))))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.error()).isEqualTo(TransportError.TIMEOUT));
        assertThat(failureOf(new NetworkComponent(connecting(CompletableFuture.failedFuture(
                new AdminException(AdminFailure.REFUSED, "DENIED")))).connect(URI.create("tls://127.0.0.1:1"))))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.error()).isEqualTo(TransportError.UNREACHABLE));
        TransportException own = new TransportException(TransportError.AUTHENTICATION_FAILED, "impostor", null);
        assertThat(failureOf(new NetworkComponent(connecting(CompletableFuture.failedFuture(own)))
                .connect(URI.create("tls://127.0.0.1:1")))).isSameAs(own);
    }
}
