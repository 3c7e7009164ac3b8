package io.hypha.admin.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdminSettingsTest {
    @Test
    void rejectsOutOfRangeBoundsNamingThem() {
        assertThatThrownBy(() -> new AdminSettings(70_000, 4, 1, 8192, 1, 4096)).hasMessageContaining("port");
        assertThatThrownBy(() -> new AdminSettings(0, 0, 1, 8192, 1, 4096)).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> new AdminSettings(0, 4, 0, 8192, 1, 4096)).hasMessageContaining("commandTimeoutMillis");
        assertThatThrownBy(() -> new AdminSettings(0, 4, 1, 2, 1, 4096)).hasMessageContaining("maxCommandLength");
        assertThatThrownBy(() -> new AdminSettings(0, 4, 1, 8192, 0, 4096)).hasMessageContaining("readTimeoutMillis");
        assertThatThrownBy(() -> new AdminSettings(0, 4, 1, 8192, 1, 10)).hasMessageContaining("maxOutputBytes");
    }
}
