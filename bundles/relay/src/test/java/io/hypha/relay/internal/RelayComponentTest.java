package io.hypha.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hypha.api.NodeId;
import io.hypha.relay.internal.engine.RelaySettings;
import io.hypha.relay.internal.engine.RelaySettings.RelayTarget;
import io.hypha.relay.store.RelayStoreSettings;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayComponentTest {
    private static final NodeId RELAY = NodeId.of(filled(5));
    private static final NodeId OTHER = NodeId.of(filled(6));

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** A configuration with the annotation's defaults, some overridden, as DS would give it. */
    private static RelayComponent.Config config(Map<String, Object> overrides) {
        return (RelayComponent.Config) Proxy.newProxyInstance(RelayComponent.Config.class.getClassLoader(),
                new Class<?>[] {RelayComponent.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return RelayComponent.Config.class;
                    }
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    return defaultOf(method);
                });
    }

    private static Object defaultOf(Method m) {
        return m.getDefaultValue();
    }

    @Test
    void theDefaultsMakeASenderOnlyWithDurableStoreSettingsReady() {
        RelaySettings s = RelayComponent.settings(config(Map.of()));

        assertThat(s.serve().serve()).isFalse();
        assertThat(s.edge().active()).isFalse();
        assertThat(s.serve().store().durability()).isEqualTo(RelayStoreSettings.Durability.FSYNC);
        assertThat(s.serve().store().perEdgeMessageQuota()).isEqualTo(100_000);
        assertThat(s.sender().maxPendingMessages()).isEqualTo(100_000);
    }

    @Test
    void readsRelaysFromOneCommaSeparatedValueAsACfgFileGivesItAndSkipsBadOnes() {
        String relays = "tls://" + RELAY + "@127.0.0.1:4001, quic://127.0.0.1:4002 ,tls://" + OTHER + "@10.0.0.1:4001,"
                + " tls://" + RELAY + "@127.0.0.1:4009";
        RelaySettings s = RelayComponent.settings(config(Map.of("relays", new String[] {relays}, "serve", true,
                "quotaMessages", 50L, "durability", "write")));

        assertThat(s.edge().relays()).extracting(RelayTarget::id).containsExactly(RELAY, OTHER);
        assertThat(s.serve().serve()).isTrue();
        assertThat(s.serve().store().perEdgeMessageQuota()).isEqualTo(50);
        assertThat(s.serve().store().durability()).isEqualTo(RelayStoreSettings.Durability.WRITE);
    }

    @Test
    void anInvalidValueFallsBackToTheDefaultsButKeepsTheRolesAndRelays() {
        RelaySettings s = RelayComponent.settings(config(Map.of("durability", "sometimes", "serve", true,
                "relays", new String[] {"tls://" + RELAY + "@127.0.0.1:4001"})));

        assertThat(s.serve().serve()).isTrue();
        assertThat(s.serve().store().durability()).isEqualTo(RelayStoreSettings.Durability.FSYNC);
        assertThat(s.edge().relays()).extracting(RelayTarget::id).containsExactly(RELAY);
        RelaySettings zero = RelayComponent.settings(config(Map.of("forwardWindow", 0)));
        assertThat(zero.serve().forwardWindow()).isEqualTo(RelaySettings.Serve.DEFAULTS.forwardWindow());
    }

    @Test
    void aRelayAddressMustNameItsNode() {
        assertThatThrownBy(() -> RelayTarget.parse("tls://127.0.0.1:4001")).hasMessageContaining("user-info");
        assertThatThrownBy(() -> RelayTarget.parse("tls://" + RELAY + "@127.0.0.1")).hasMessageContaining("scheme://nodeid@host:port");
        assertThatThrownBy(() -> RelayTarget.parse("tls://notanode@127.0.0.1:4001")).isInstanceOf(IllegalArgumentException.class);
        assertThat(RelayTarget.parse(" tls://" + RELAY + "@127.0.0.1:4001 ").id()).isEqualTo(RELAY);
    }
}
