package io.hypha.netregistry.internal.registry;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.advert.TransportAddress;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.wire.ProtocolVersions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * This node's own advert: what it should say (its listening or public addresses with their weights, its relays), and
 * the signed advert that says it. {@link #refresh} re-signs when what it should say changed or a quarter of the
 * advert's lifetime is left, with a version higher than any it used before (the creation time in milliseconds, or
 * the last version plus one if that is not higher), and stores it before anyone sees it, so that versions grow across
 * restarts even if the clock went back.
 *
 * <p>Thread-safe: the inputs come from the Transport engine's and the relay's threads, refreshes from the registry
 * engine's turn; all is guarded by this object's monitor. Reads of the current advert need no lock.
 */
final class OwnAdvert {
    /** The signed advert and its encoding. */
    record Signed(NodeAdvert advert, byte[] encoded) {
    }

    private static final Set<String> WILDCARD_HOSTS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "[0:0:0:0:0:0:0:0]");

    private final NodeIdentity identity;
    private final NodeId self;
    private final AdvertCodec codec;
    private final AdvertStore store;
    private final RegistrySettings settings;

    private List<URI> listening = List.of();
    private List<NodeId> relays = List.of();
    private boolean advertiseAddresses = true;
    private long lastVersion;
    private volatile Signed current;

    /**
     * Loads the advert and last version kept in the store; a stored advert that no longer checks out (expired, or
     * made with another key) is dropped, its version still counting as used.
     */
    OwnAdvert(NodeIdentity identity, AdvertCodec codec, AdvertStore store, RegistrySettings settings, Instant now) {
        this.identity = identity;
        this.self = identity.id();
        this.codec = codec;
        this.store = store;
        this.settings = settings;
        this.lastVersion = store.lastOwnVersion();
        Optional<byte[]> stored = store.ownAdvert();
        if (stored.isPresent() && codec.decode(stored.get(), self, now) instanceof AdvertCheck.Accepted ok) {
            current = new Signed(ok.advert(), stored.get());
            lastVersion = Math.max(lastVersion, ok.advert().version());
        }
    }

    /** @return the current signed advert, or {@code null} before the node has one */
    Signed current() {
        return current;
    }

    /** @return the current advert's version, 0 if none */
    long version() {
        Signed s = current;
        return s == null ? 0 : s.advert().version();
    }

    /** @param addresses every address this node listens on now */
    synchronized void listening(List<URI> addresses) {
        listening = List.copyOf(addresses);
    }

    /**
     * @param relayNodes       relays to list, first preferred
     * @param listAddresses    whether to list the addresses
     * @throws IllegalArgumentException if the relays break an advert's rules (too many, twice, this node)
     */
    synchronized void relays(List<NodeId> relayNodes, boolean listAddresses) {
        List<NodeId> copy = List.copyOf(relayNodes);
        if (copy.size() > AdvertContent.MAX_RELAYS || Set.copyOf(copy).size() != copy.size() || copy.contains(self)) {
            throw new IllegalArgumentException("relays must be at most " + AdvertContent.MAX_RELAYS
                    + " distinct nodes other than this one, got " + copy);
        }
        relays = copy;
        advertiseAddresses = listAddresses;
    }

    /**
     * Re-signs the advert if what it says is out of date or it is due for renewal.
     *
     * @param now the time
     * @return the new advert, or empty if the current one stays (or there is nothing to say yet: no address and no relay)
     */
    synchronized Optional<Signed> refresh(Instant now) {
        List<TransportAddress> addresses = advertiseAddresses ? advertised(listening, settings) : List.of();
        Signed cur = current;
        if (cur == null && addresses.isEmpty() && relays.isEmpty()) {
            return Optional.empty();
        }
        if (cur != null && says(cur.advert(), addresses, relays) && now.isBefore(renewAt(cur.advert()))) {
            return Optional.empty();
        }
        long version = Math.max(now.toEpochMilli(), lastVersion + 1);
        NodeAdvert advert = codec.sign(new AdvertContent(self, addresses, relays, ProtocolVersions.MIN_SUPPORTED,
                ProtocolVersions.MAX_SUPPORTED, version, now, now.plus(settings.advertTtl())), identity);
        byte[] encoded = codec.encode(advert);
        store.putOwn(version, encoded);
        store.commit();
        lastVersion = version;
        Signed signed = new Signed(advert, encoded);
        current = signed;
        return Optional.of(signed);
    }

    /** @return when the current advert is due for renewal, or empty if there is none */
    Optional<Instant> renewAt() {
        Signed cur = current;
        return cur == null ? Optional.empty() : Optional.of(renewAt(cur.advert()));
    }

    /** @return when a quarter of the advert's lifetime is left */
    static Instant renewAt(NodeAdvert advert) {
        Duration lifetime = Duration.between(advert.created(), advert.expires());
        return advert.expires().minus(lifetime.dividedBy(4));
    }

    private static boolean says(NodeAdvert advert, List<TransportAddress> addresses, List<NodeId> relays) {
        return advert.addresses().equals(addresses) && advert.relays().equals(relays)
                && advert.minProtocolVersion() == ProtocolVersions.MIN_SUPPORTED
                && advert.maxProtocolVersion() == ProtocolVersions.MAX_SUPPORTED;
    }

    /**
     * The addresses an advert lists: the public addresses if configured, else the listening ones that can be dialled
     * (a wildcard such as {@code 0.0.0.0} cannot), each with its scheme's weight, highest weight first, then by text;
     * at most {@link AdvertContent#MAX_ADDRESSES}.
     *
     * @param listening the listening addresses
     * @param settings  weights and public addresses
     * @return the advertised addresses
     */
    static List<TransportAddress> advertised(List<URI> listening, RegistrySettings settings) {
        List<URI> source = settings.publicAddresses().isEmpty() ? listening : settings.publicAddresses();
        Map<URI, TransportAddress> unique = new LinkedHashMap<>();
        for (URI uri : source) {
            if (uri.getHost() == null || WILDCARD_HOSTS.contains(uri.getHost()) || uri.getPort() <= 0) {
                continue;
            }
            try {
                unique.putIfAbsent(uri, new TransportAddress(uri, settings.weight(uri)));
            } catch (IllegalArgumentException notAnAddress) {
                // not absolute, or too long: not something anyone could dial
            }
        }
        List<TransportAddress> sorted = new ArrayList<>(unique.values());
        sorted.sort(Comparator.comparingInt(TransportAddress::weight).reversed()
                .thenComparing(a -> a.uri().toString()));
        return List.copyOf(sorted.subList(0, Math.min(sorted.size(), AdvertContent.MAX_ADDRESSES)));
    }

    /** @return whether a listening address is a wildcard (nobody can dial it) */
    static boolean isWildcard(URI address) {
        return address.getHost() != null && WILDCARD_HOSTS.contains(address.getHost());
    }
}
