package io.hypha.transport.internal.engine;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The addresses at which one peer can be dialled, with what is known of each: where it came from, its weight, its
 * measured round-trip time and its recent failures. Engine thread only.
 *
 * <p>Today addresses come from the operator ({@code hypha:connect}); signed node adverts will add theirs with their
 * advertised weights. Inbound connections add nothing: their remote address is the peer's ephemeral port, not one it
 * listens on.
 *
 * <h2>Choice</h2>
 * {@link #choose} takes, among addresses whose scheme is installed and that have not refused this node for good
 * (DENIED, INCOMPATIBLE), the best by: fewest consecutive failures, then local scheme preference, then advert weight
 * (higher first), then measured RTT (lower first, unknown last). So a failing address is tried again only after the
 * others, and a better-ranked scheme wins once it works.
 */
final class AddressBook {
    /** Where an address was learnt. */
    enum Source {
        /** An operator typed it ({@code hypha:connect}). */
        OPERATOR,
        /** The peer's verified node advert. */
        ADVERT
    }

    /** One address and what is known of it. */
    static final class Entry {
        final URI uri;
        final String scheme;
        Source source;
        int weight;
        /** Smoothed round-trip time in nanoseconds, -1 if never measured. */
        long rttNanos = -1;
        int failures;
        /** Set when the peer answered DENIED or INCOMPATIBLE at this address: not retried until learnt again. */
        boolean refused;

        Entry(URI uri, Source source, int weight) {
            this.uri = uri;
            this.scheme = uri.getScheme();
            this.source = source;
            this.weight = weight;
        }

        @Override
        public String toString() {
            return uri + (refused ? " (refused)" : failures > 0 ? " (" + failures + " failures)" : "");
        }
    }

    private final List<Entry> entries = new ArrayList<>(2);

    /**
     * Adds an address or refreshes it: a known one gets the new source and weight and is no longer marked refused.
     *
     * @param uri    the address, without user-info
     * @param source where it was learnt
     * @param weight its weight (higher is preferred)
     * @return its entry
     */
    Entry learn(URI uri, Source source, int weight) {
        Entry e = find(uri);
        if (e == null) {
            e = new Entry(uri, source, weight);
            entries.add(e);
        } else {
            e.source = source;
            e.weight = weight;
            e.refused = false;
            e.failures = 0;
        }
        return e;
    }

    /**
     * Replaces the addresses an advert gave with those of a newer advert; addresses from other sources stay. An
     * address that stays keeps what was measured of it.
     *
     * @param advertised the new advert's addresses (without user-info) and their weights
     */
    void replaceAdvertised(List<Map.Entry<URI, Integer>> advertised) {
        entries.removeIf(e -> e.source == Source.ADVERT
                && advertised.stream().noneMatch(a -> a.getKey().equals(e.uri)));
        for (Map.Entry<URI, Integer> a : advertised) {
            Entry e = find(a.getKey());
            if (e == null) {
                entries.add(new Entry(a.getKey(), Source.ADVERT, a.getValue()));
            } else if (e.source == Source.ADVERT) {
                e.weight = a.getValue();
            }
        }
    }

    /** @param uri an address @return its entry, or {@code null} */
    Entry find(URI uri) {
        for (Entry e : entries) {
            if (e.uri.equals(uri)) {
                return e;
            }
        }
        return null;
    }

    /** @return every entry, in the order learnt */
    List<Entry> entries() {
        return entries;
    }

    /** @return whether no address is known */
    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * @param installed  the schemes with an installed protocol
     * @param preference schemes in order of local preference
     * @return the address to dial next, or {@code null} if none can be dialled
     */
    Entry choose(Set<String> installed, List<String> preference) {
        Entry best = null;
        Comparator<Entry> order = order(preference);
        for (Entry e : entries) {
            if (!e.refused && installed.contains(e.scheme) && (best == null || order.compare(e, best) < 0)) {
                best = e;
            }
        }
        return best;
    }

    /** @param installed the schemes with an installed protocol @return whether {@link #choose} would find one */
    boolean dialable(Collection<String> installed) {
        for (Entry e : entries) {
            if (!e.refused && installed.contains(e.scheme)) {
                return true;
            }
        }
        return false;
    }

    static int rank(String scheme, List<String> preference) {
        int i = preference.indexOf(scheme);
        return i < 0 ? preference.size() : i;
    }

    private static Comparator<Entry> order(List<String> preference) {
        return Comparator.<Entry>comparingInt(e -> e.failures)
                .thenComparingInt(e -> rank(e.scheme, preference))
                .thenComparing(Comparator.<Entry>comparingInt(e -> e.weight).reversed())
                .thenComparingLong(e -> e.rttNanos < 0 ? Long.MAX_VALUE : e.rttNanos);
    }
}
