package io.hypha.bench.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseTest {
    @Test
    void encodesAndParsesBackIncludingASecondPass() {
        List<Phase> phases = List.of(new Phase(Phase.Kind.W1, 1_000_000, 200_000, 100),
                new Phase(Phase.Kind.W1, 100_000, 20_000, 10_240), new Phase(Phase.Kind.W2, 20_000, 2_000, 100),
                new Phase(Phase.Kind.W1, 1_000_000, 200_000, 100, 2));

        String text = Phase.encodeAll(phases);

        assertThat(text).isEqualTo("w1:1000000:200000:100,w1:100000:20000:10240,w2:20000:2000:100,w1:1000000:200000:100:2");
        assertThat(Phase.parseAll(text)).isEqualTo(phases);
    }

    @Test
    void labelsNameTheWorkloadSizeAndPass() {
        assertThat(new Phase(Phase.Kind.W1, 10, 0, 100).label()).isEqualTo("W1 100 B");
        assertThat(new Phase(Phase.Kind.W1, 10, 0, 10_240).label()).isEqualTo("W1 10 KiB");
        assertThat(new Phase(Phase.Kind.W2, 10, 0, 100).label()).isEqualTo("W2 100 B");
        assertThat(new Phase(Phase.Kind.W1, 10, 0, 100, 2).label()).isEqualTo("W1 100 B, 2nd pass");
        assertThat(new Phase(Phase.Kind.W1, 10, 5, 100).total()).isEqualTo(15);
    }

    @Test
    void refusesWhatIsNotAPhase() {
        assertThatThrownBy(() -> Phase.parse("w3:10:0:100")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Phase.parse("w1:10:0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Phase.parse("w1:ten:0:100")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Phase(Phase.Kind.W1, 1, 0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Phase(Phase.Kind.W1, 10, 0, 100, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
