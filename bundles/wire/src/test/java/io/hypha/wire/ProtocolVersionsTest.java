package io.hypha.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProtocolVersionsTest {
    @Test
    void choosesTheHighestVersionBothSidesSpeak() {
        assertThat(ProtocolVersions.highestCommon(1, 3, 2, 5)).hasValue(3);
        assertThat(ProtocolVersions.highestCommon(2, 5, 1, 3)).hasValue(3);
        assertThat(ProtocolVersions.highestCommon(1, 1, 1, 1)).hasValue(1);
        assertThat(ProtocolVersions.highestCommon(1, 9, 4, 4)).hasValue(4);
    }

    @Test
    void findsNoneWhenTheRangesDoNotOverlapOrAreInvalid() {
        assertThat(ProtocolVersions.highestCommon(1, 2, 3, 4)).isEqualTo(OptionalInt.empty());
        assertThat(ProtocolVersions.highestCommon(1, 2, 0, 0)).as("version 0 does not exist").isEmpty();
        assertThat(ProtocolVersions.highestCommon(1, 2, 2, 1)).as("min above max").isEmpty();
        assertThat(ProtocolVersions.highestCommon(1, 2, -5, 2)).as("a uint32 of 2^31 or more").isEmpty();
    }

    @Test
    void speaksVersionOne() {
        assertThat(ProtocolVersions.highestCommon(ProtocolVersions.MIN_SUPPORTED, ProtocolVersions.MAX_SUPPORTED, 1, 1)).hasValue(1);
    }
}
