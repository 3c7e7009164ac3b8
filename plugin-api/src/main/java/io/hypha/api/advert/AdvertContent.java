package io.hypha.api.advert;

import io.hypha.api.NodeId;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a node says about itself in its advert: everything its signature covers. A node builds one, signs it with
 * {@link AdvertCodec#sign} and publishes the resulting {@link NodeAdvert}.
 *
 * <p>Rules checked here, so that no advert that breaks them can be built (or decoded):
 * <ul>
 *   <li>at most {@link #MAX_ADDRESSES} addresses, no URI twice; at most {@link #MAX_RELAYS} relays, none twice and
 *       never the node itself;</li>
 *   <li>{@code 1 <= minProtocolVersion <= maxProtocolVersion};</li>
 *   <li>{@code version >= 1}: a node numbers its adverts, and a higher version replaces a lower one everywhere
 *       (0 means "no advert" in the handshake). A node that restarts must not reuse versions: Hypha uses the
 *       creation time in milliseconds, or the last version plus one if that is not higher;</li>
 *   <li>{@code created} is not before 1970 and is before {@code expires}. Times are kept to the millisecond, the
 *       precision of the encoding: finer parts are dropped.</li>
 * </ul>
 * An edge node that cannot be dialled lists no addresses and names its relays instead.
 *
 * @param node               the node the advert is about, and whose key must sign it
 * @param addresses          where it can be dialled, in the node's order of preference (weights decide first)
 * @param relays             the relays that keep messages for it while it is not connected
 * @param minProtocolVersion lowest wire protocol version it speaks
 * @param maxProtocolVersion highest wire protocol version it speaks
 * @param version            the advert's version; higher replaces lower
 * @param created            when the node made this advert
 * @param expires            when it stops being valid; nobody keeps or passes it on after that
 */
public record AdvertContent(NodeId node, List<TransportAddress> addresses, List<NodeId> relays,
        int minProtocolVersion, int maxProtocolVersion, long version, Instant created, Instant expires) {
    /** Most addresses an advert may list. */
    public static final int MAX_ADDRESSES = 16;
    /** Most relays an advert may list. */
    public static final int MAX_RELAYS = 8;

    /** @throws IllegalArgumentException with the rule that is broken (see the type's Javadoc) */
    public AdvertContent {
        Objects.requireNonNull(node, "node");
        addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
        relays = List.copyOf(Objects.requireNonNull(relays, "relays"));
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(expires, "expires");
        if (addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("an advert lists at most " + MAX_ADDRESSES + " addresses, got " + addresses.size());
        }
        Set<java.net.URI> uris = new HashSet<>();
        for (TransportAddress address : addresses) {
            if (!uris.add(address.uri())) {
                throw new IllegalArgumentException("address " + address.uri() + " is listed twice");
            }
        }
        if (relays.size() > MAX_RELAYS) {
            throw new IllegalArgumentException("an advert lists at most " + MAX_RELAYS + " relays, got " + relays.size());
        }
        if (new HashSet<>(relays).size() != relays.size()) {
            throw new IllegalArgumentException("a relay is listed twice");
        }
        if (relays.contains(node)) {
            throw new IllegalArgumentException("a node cannot be its own relay");
        }
        if (minProtocolVersion < 1 || maxProtocolVersion < minProtocolVersion) {
            throw new IllegalArgumentException("protocol versions must satisfy 1 <= min <= max, got "
                    + minProtocolVersion + ".." + maxProtocolVersion);
        }
        if (version < 1) {
            throw new IllegalArgumentException("an advert version is at least 1, got " + version);
        }
        created = created.truncatedTo(ChronoUnit.MILLIS);
        expires = expires.truncatedTo(ChronoUnit.MILLIS);
        if (created.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("an advert cannot be created before 1970, got " + created);
        }
        if (!created.isBefore(expires)) {
            throw new IllegalArgumentException("an advert must expire after it is created, got created " + created
                    + " and expires " + expires);
        }
        // Both instants must fit in a signed 64-bit millisecond count (the encoding); toEpochMilli checks.
        expires.toEpochMilli();
    }

    /**
     * @param now the time to judge by
     * @return whether the advert has expired at {@code now} ({@code now >= expires})
     */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expires);
    }
}
