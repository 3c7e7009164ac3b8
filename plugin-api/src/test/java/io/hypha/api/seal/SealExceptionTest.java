package io.hypha.api.seal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SealExceptionTest {
    @Test
    void carriesItsReason() {
        SealException e = new SealException(SealException.Reason.TAMPERED, "authentication failed");

        assertThat(e.reason()).isEqualTo(SealException.Reason.TAMPERED);
        assertThat(e.getMessage()).startsWith("TAMPERED: ");
    }
}
