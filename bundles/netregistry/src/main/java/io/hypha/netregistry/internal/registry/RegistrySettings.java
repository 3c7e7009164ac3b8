package io.hypha.netregistry.internal.registry;

import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.TransportAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The NetRegistry's settings, checked: every bound is positive and within its documented range. The component builds
 * them from configuration {@code io.hypha.netregistry}; the attribute descriptions there say what each one does.
 *
 * @param seeds               nodes dialled at start ({@code scheme://[nodeid@]host:port}) until each answers once
 * @param schemeWeights       advert weight of this node's listening addresses by scheme; others get
 *                            {@link TransportAddress#DEFAULT_WEIGHT}
 * @param publicAddresses     addresses advertised instead of the listening ones (behind NAT or a port mapping); empty:
 *                            the listening addresses
 * @param advertTtl           how long this node's advert is valid; it is re-signed when a quarter of it is left
 * @param capacity            most adverts of other nodes held (in memory and on disk)
 * @param lookupTimeout       how long a lookup waits for peers' answers
 * @param lookupFanout        how many connected peers one lookup asks
 * @param maxPendingLookups   lookups of distinct nodes under way at once; more complete empty at once
 * @param samplePeriod        how often one random connected peer is asked for a sample; zero: never
 * @param sampleSize          most adverts asked for and given in one sample
 * @param seedRedialMin       first delay before dialling a seed again after a failure
 * @param seedRedialMax       longest delay between dials of a seed
 * @param messageTtl          expiry of the registry's one-way messages (pushed adverts, answers)
 * @param holdMessagesPerNode messages the gateway holds for one node while it resolves it
 * @param holdNodes           nodes the gateway resolves at once
 */
public record RegistrySettings(List<URI> seeds, Map<String, Integer> schemeWeights, List<URI> publicAddresses,
        Duration advertTtl, int capacity, Duration lookupTimeout, int lookupFanout, int maxPendingLookups,
        Duration samplePeriod, int sampleSize, Duration seedRedialMin, Duration seedRedialMax, Duration messageTtl,
        int holdMessagesPerNode, int holdNodes) {

    /** Default {@link #advertTtl()}: 24 hours. */
    public static final Duration DEFAULT_ADVERT_TTL = Duration.ofHours(24);
    /** Shortest {@link #advertTtl()}: one minute. */
    public static final Duration MIN_ADVERT_TTL = Duration.ofMinutes(1);
    /** Default {@link #capacity()}. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** Largest {@link #capacity()}. */
    public static final int MAX_CAPACITY = 1_000_000;
    /** Default {@link #lookupTimeout()}. */
    public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(3);
    /** Default {@link #lookupFanout()}. */
    public static final int DEFAULT_LOOKUP_FANOUT = 8;
    /** Default {@link #maxPendingLookups()}. */
    public static final int DEFAULT_MAX_PENDING_LOOKUPS = 256;
    /** Default {@link #samplePeriod()}: short, so that a new node learns its seeds' neighbours within seconds. */
    public static final Duration DEFAULT_SAMPLE_PERIOD = Duration.ofMillis(2_000);
    /** Default {@link #sampleSize()}. */
    public static final int DEFAULT_SAMPLE_SIZE = 16;
    /** Largest {@link #sampleSize()}: 64 adverts of at most 8 KiB fit well within the smallest frame limit. */
    public static final int MAX_SAMPLE_SIZE = 64;
    /** Default {@link #seedRedialMin()}. */
    public static final Duration DEFAULT_SEED_REDIAL_MIN = Duration.ofMillis(500);
    /** Default {@link #seedRedialMax()}. */
    public static final Duration DEFAULT_SEED_REDIAL_MAX = Duration.ofSeconds(30);
    /** Default {@link #messageTtl()}. */
    public static final Duration DEFAULT_MESSAGE_TTL = Duration.ofSeconds(30);
    /** Default {@link #holdMessagesPerNode()}. */
    public static final int DEFAULT_HOLD_MESSAGES_PER_NODE = 1_000;
    /** Default {@link #holdNodes()}. */
    public static final int DEFAULT_HOLD_NODES = 1_024;
    /** Default {@link #schemeWeights()}: QUIC before TLS. */
    public static final Map<String, Integer> DEFAULT_SCHEME_WEIGHTS = Map.of("quic", 200, "tls", 100);

    /** Checks every bound, naming the first one out of range. */
    public RegistrySettings {
        seeds = List.copyOf(Objects.requireNonNull(seeds, "seeds"));
        schemeWeights = Map.copyOf(Objects.requireNonNull(schemeWeights, "schemeWeights"));
        publicAddresses = List.copyOf(Objects.requireNonNull(publicAddresses, "publicAddresses"));
        Objects.requireNonNull(advertTtl, "advertTtl");
        Objects.requireNonNull(lookupTimeout, "lookupTimeout");
        Objects.requireNonNull(samplePeriod, "samplePeriod");
        Objects.requireNonNull(seedRedialMin, "seedRedialMin");
        Objects.requireNonNull(seedRedialMax, "seedRedialMax");
        Objects.requireNonNull(messageTtl, "messageTtl");
        for (URI seed : seeds) {
            check(seed.getScheme() != null && seed.getHost() != null && seed.getPort() > 0, "seeds", seed,
                    "scheme://[nodeid@]host:port");
        }
        for (Map.Entry<String, Integer> w : schemeWeights.entrySet()) {
            check(w.getValue() >= 0 && w.getValue() <= TransportAddress.MAX_WEIGHT, "schemeWeights", w,
                    "scheme=weight with a weight of 0.." + TransportAddress.MAX_WEIGHT);
        }
        check(publicAddresses.size() <= AdvertContent.MAX_ADDRESSES, "publicAddresses", publicAddresses.size(),
                "at most " + AdvertContent.MAX_ADDRESSES + " addresses");
        for (URI address : publicAddresses) {
            check(address.getScheme() != null && address.getHost() != null && address.getPort() > 0
                    && address.toString().length() <= TransportAddress.MAX_URI_LENGTH, "publicAddresses", address,
                    "scheme://host:port");
        }
        check(advertTtl.compareTo(MIN_ADVERT_TTL) >= 0, "advertTtl", advertTtl, ">= " + MIN_ADVERT_TTL);
        check(capacity >= 1 && capacity <= MAX_CAPACITY, "capacity", capacity, "1.." + MAX_CAPACITY);
        check(lookupTimeout.toMillis() >= 1, "lookupTimeout", lookupTimeout, ">= 1 ms");
        check(lookupFanout >= 1, "lookupFanout", lookupFanout, ">= 1");
        check(maxPendingLookups >= 1, "maxPendingLookups", maxPendingLookups, ">= 1");
        check(!samplePeriod.isNegative(), "samplePeriod", samplePeriod, ">= 0 (0: no sampling)");
        check(sampleSize >= 1 && sampleSize <= MAX_SAMPLE_SIZE, "sampleSize", sampleSize, "1.." + MAX_SAMPLE_SIZE);
        check(seedRedialMin.toMillis() >= 1, "seedRedialMin", seedRedialMin, ">= 1 ms");
        check(seedRedialMax.compareTo(seedRedialMin) >= 0, "seedRedialMax", seedRedialMax, ">= seedRedialMin");
        check(messageTtl.toMillis() >= 1, "messageTtl", messageTtl, ">= 1 ms");
        check(holdMessagesPerNode >= 1, "holdMessagesPerNode", holdMessagesPerNode, ">= 1");
        check(holdNodes >= 1, "holdNodes", holdNodes, ">= 1");
    }

    /** @return the documented defaults */
    public static RegistrySettings defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these settings */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * @param address a listening address
     * @return its advert weight: the configured weight of its scheme, or {@link TransportAddress#DEFAULT_WEIGHT}
     */
    public int weight(URI address) {
        String scheme = address.getScheme() == null ? "" : address.getScheme().toLowerCase(Locale.ROOT);
        return schemeWeights.getOrDefault(scheme, TransportAddress.DEFAULT_WEIGHT);
    }

    /**
     * Reads {@code scheme=weight} items.
     *
     * @param items such as {@code quic=200}
     * @return the weights by lower-case scheme
     * @throws IllegalArgumentException naming the item that is not {@code scheme=weight}
     */
    public static Map<String, Integer> parseWeights(List<String> items) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("netregistry setting schemeWeights: '" + item + "' is not scheme=weight");
            }
            try {
                weights.put(item.substring(0, eq).trim().toLowerCase(Locale.ROOT), Integer.parseInt(item.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("netregistry setting schemeWeights: '" + item + "' has no integer weight");
            }
        }
        return weights;
    }

    private static void check(boolean ok, String name, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("netregistry setting " + name + " must be " + range + ", got " + value);
        }
    }

    /** Builds {@link RegistrySettings}; not thread-safe. */
    public static final class Builder {
        private List<URI> seeds = List.of();
        private Map<String, Integer> schemeWeights = DEFAULT_SCHEME_WEIGHTS;
        private List<URI> publicAddresses = List.of();
        private Duration advertTtl = DEFAULT_ADVERT_TTL;
        private int capacity = DEFAULT_CAPACITY;
        private Duration lookupTimeout = DEFAULT_LOOKUP_TIMEOUT;
        private int lookupFanout = DEFAULT_LOOKUP_FANOUT;
        private int maxPendingLookups = DEFAULT_MAX_PENDING_LOOKUPS;
        private Duration samplePeriod = DEFAULT_SAMPLE_PERIOD;
        private int sampleSize = DEFAULT_SAMPLE_SIZE;
        private Duration seedRedialMin = DEFAULT_SEED_REDIAL_MIN;
        private Duration seedRedialMax = DEFAULT_SEED_REDIAL_MAX;
        private Duration messageTtl = DEFAULT_MESSAGE_TTL;
        private int holdMessagesPerNode = DEFAULT_HOLD_MESSAGES_PER_NODE;
        private int holdNodes = DEFAULT_HOLD_NODES;

        private Builder() {
        }

        private Builder(RegistrySettings s) {
            seeds = s.seeds;
            schemeWeights = s.schemeWeights;
            publicAddresses = s.publicAddresses;
            advertTtl = s.advertTtl;
            capacity = s.capacity;
            lookupTimeout = s.lookupTimeout;
            lookupFanout = s.lookupFanout;
            maxPendingLookups = s.maxPendingLookups;
            samplePeriod = s.samplePeriod;
            sampleSize = s.sampleSize;
            seedRedialMin = s.seedRedialMin;
            seedRedialMax = s.seedRedialMax;
            messageTtl = s.messageTtl;
            holdMessagesPerNode = s.holdMessagesPerNode;
            holdNodes = s.holdNodes;
        }

        /** @param v see {@link RegistrySettings#seeds()} @return this builder */
        public Builder seeds(List<URI> v) { seeds = v; return this; }
        /** @param v see {@link RegistrySettings#schemeWeights()} @return this builder */
        public Builder schemeWeights(Map<String, Integer> v) { schemeWeights = v; return this; }
        /** @param v see {@link RegistrySettings#publicAddresses()} @return this builder */
        public Builder publicAddresses(List<URI> v) { publicAddresses = v; return this; }
        /** @param v see {@link RegistrySettings#advertTtl()} @return this builder */
        public Builder advertTtl(Duration v) { advertTtl = v; return this; }
        /** @param v see {@link RegistrySettings#capacity()} @return this builder */
        public Builder capacity(int v) { capacity = v; return this; }
        /** @param v see {@link RegistrySettings#lookupTimeout()} @return this builder */
        public Builder lookupTimeout(Duration v) { lookupTimeout = v; return this; }
        /** @param v see {@link RegistrySettings#lookupFanout()} @return this builder */
        public Builder lookupFanout(int v) { lookupFanout = v; return this; }
        /** @param v see {@link RegistrySettings#maxPendingLookups()} @return this builder */
        public Builder maxPendingLookups(int v) { maxPendingLookups = v; return this; }
        /** @param v see {@link RegistrySettings#samplePeriod()} @return this builder */
        public Builder samplePeriod(Duration v) { samplePeriod = v; return this; }
        /** @param v see {@link RegistrySettings#sampleSize()} @return this builder */
        public Builder sampleSize(int v) { sampleSize = v; return this; }
        /** @param v see {@link RegistrySettings#seedRedialMin()} @return this builder */
        public Builder seedRedialMin(Duration v) { seedRedialMin = v; return this; }
        /** @param v see {@link RegistrySettings#seedRedialMax()} @return this builder */
        public Builder seedRedialMax(Duration v) { seedRedialMax = v; return this; }
        /** @param v see {@link RegistrySettings#messageTtl()} @return this builder */
        public Builder messageTtl(Duration v) { messageTtl = v; return this; }
        /** @param v see {@link RegistrySettings#holdMessagesPerNode()} @return this builder */
        public Builder holdMessagesPerNode(int v) { holdMessagesPerNode = v; return this; }
        /** @param v see {@link RegistrySettings#holdNodes()} @return this builder */
        public Builder holdNodes(int v) { holdNodes = v; return this; }

        /** @return the settings @throws IllegalArgumentException if a bound is out of range */
        public RegistrySettings build() {
            return new RegistrySettings(seeds, schemeWeights, publicAddresses, advertTtl, capacity, lookupTimeout,
                    lookupFanout, maxPendingLookups, samplePeriod, sampleSize, seedRedialMin, seedRedialMax, messageTtl,
                    holdMessagesPerNode, holdNodes);
        }
    }
}
