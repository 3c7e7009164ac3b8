package io.hypha.transport.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AddressBookTest {
    private static final List<String> PREFERENCE = List.of("quic", "tls");
    private final AddressBook book = new AddressBook();

    @Test
    void theBestAddressIsChosenByFailuresThenSchemePreferenceThenWeightThenRtt() {
        AddressBook.Entry tls = book.learn(URI.create("tls://h:1"), AddressBook.Source.ADVERT, 10);
        AddressBook.Entry quic = book.learn(URI.create("quic://h:2"), AddressBook.Source.ADVERT, 1);
        AddressBook.Entry quicHeavy = book.learn(URI.create("quic://h:3"), AddressBook.Source.ADVERT, 5);
        Set<String> both = Set.of("quic", "tls");

        assertThat(book.choose(both, PREFERENCE)).isSameAs(quicHeavy);
        quic.weight = 5;
        quic.rttNanos = 1_000;
        quicHeavy.rttNanos = 9_000;
        assertThat(book.choose(both, PREFERENCE)).isSameAs(quic);
        quic.failures = 1;
        quicHeavy.failures = 1;
        assertThat(book.choose(both, PREFERENCE)).isSameAs(tls);
        assertThat(book.choose(Set.of("quic"), PREFERENCE)).isSameAs(quic);
        tls.refused = true;
        assertThat(book.choose(Set.of("tls"), PREFERENCE)).isNull();
        assertThat(book.dialable(Set.of("tls"))).isFalse();
    }

    @Test
    void learningAnAddressAgainClearsItsFailuresAndRefusal() {
        AddressBook.Entry e = book.learn(URI.create("tls://h:1"), AddressBook.Source.OPERATOR, 1);
        e.failures = 3;
        e.refused = true;

        assertThat(book.learn(URI.create("tls://h:1"), AddressBook.Source.ADVERT, 7)).isSameAs(e);
        assertThat(e.failures).isZero();
        assertThat(e.refused).isFalse();
        assertThat(e.weight).isEqualTo(7);
        assertThat(book.entries()).hasSize(1);
    }

    @Test
    void backoffDoublesWithJitterUpToItsMaximumAndResets() {
        Backoff b = new Backoff();
        SplittableRandom random = new SplittableRandom(1);
        long step = 100;
        for (int i = 0; i < 8; i++) {
            long d = b.next(100, 1000, random);
            assertThat(d).isBetween(step / 2, step);
            step = Math.min(1000, step * 2);
        }
        b.reset();
        assertThat(b.next(100, 1000, random)).isBetween(50L, 100L);
    }
}
