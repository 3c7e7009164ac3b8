package io.hypha.transport.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TlsAddressTest {
    private static final NodeId NODE = NodeId.of(new byte[32]);

    @Test
    void readsHostPortAndAnOptionalNodeId() throws TransportException {
        TlsAddress plain = TlsAddress.parse(URI.create("tls://127.0.0.1:4001"), true);
        TlsAddress named = TlsAddress.parse(URI.create("TLS://" + NODE + "@localhost:4001"), true);
        TlsAddress v6 = TlsAddress.parse(URI.create("tls://[::1]:0"), false);

        assertThat(plain).isEqualTo(new TlsAddress("127.0.0.1", 4001, null));
        assertThat(named).isEqualTo(new TlsAddress("localhost", 4001, NODE));
        assertThat(named.uri()).isEqualTo(URI.create("tls://localhost:4001"));
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.uri()).isEqualTo(URI.create("tls://[::1]:0"));
    }

    @Test
    void refusesWhatIsNotATlsAddress() {
        for (String bad : new String[] {"quic://127.0.0.1:4001", "tls://127.0.0.1", "tls:127.0.0.1:4001",
            "tls://127.0.0.1:4001/path", "tls://127.0.0.1:4001?q", "tls://not-a-node@127.0.0.1:4001"}) {
            TransportException e = catchThrowableOfType(() -> TlsAddress.parse(URI.create(bad), true),
                    TransportException.class);
            assertThat(e).as(bad).isNotNull();
            assertThat(e.error()).as(bad).isEqualTo(TransportError.BAD_ADDRESS);
        }
    }

    @Test
    void refusesToDialPortZeroButListensOnIt() throws TransportException {
        URI anyPort = URI.create("tls://127.0.0.1:0");

        assertThat(TlsAddress.parse(anyPort, false).port()).isZero();
        assertThat(catchThrowableOfType(() -> TlsAddress.parse(anyPort, true), TransportException.class).error())
                .isEqualTo(TransportError.BAD_ADDRESS);
    }

    @Test
    void writesSocketAddressesWithTheirIp() {
        assertThat(TlsAddress.uriOf(new InetSocketAddress("127.0.0.1", 4001))).isEqualTo(URI.create("tls://127.0.0.1:4001"));
    }
}
