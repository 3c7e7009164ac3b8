package io.hypha.netregistry.internal.registry;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertRejection;
import io.hypha.api.advert.NodeAdvert;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the NetRegistry holds and counts at one moment, for the console.
 *
 * @param self       this node
 * @param own        this node's current advert, if it has one
 * @param adverts    the valid adverts of other nodes held, ordered by node id
 * @param capacity   most adverts held
 * @param rejections adverts refused since start, by reason (every reason present)
 * @param tableFull  adverts of new nodes refused because the table was full
 * @param counters   lookups, samples and messages
 * @param seeds      the seeds and how dialling them goes
 * @param storeFile  where the adverts are kept
 */
public record RegistrySnapshot(NodeId self, Optional<NodeAdvert> own, List<NodeAdvert> adverts, int capacity,
        Map<AdvertRejection, Long> rejections, long tableFull, Counters counters, List<SeedInfo> seeds, String storeFile) {

    /** Copies the collections. */
    public RegistrySnapshot {
        adverts = List.copyOf(adverts);
        rejections = Map.copyOf(rejections);
        seeds = List.copyOf(seeds);
    }

    /**
     * Counters since start.
     *
     * @param lookups        lookups that asked peers
     * @param lookupsFound   of those, answered with a valid advert
     * @param lookupsMissed  of those, that no peer could answer
     * @param lookupsRefused lookups refused because too many were under way (or no engine context yet)
     * @param samples        samples asked of peers
     * @param accepted       adverts of other nodes taken (new, or newer than the one held)
     * @param badMessages    registry messages that were not what their type says (wrong payload, bad list)
     */
    public record Counters(long lookups, long lookupsFound, long lookupsMissed, long lookupsRefused, long samples,
            long accepted, long badMessages) {
    }

    /**
     * One seed.
     *
     * @param address  where it is dialled
     * @param state    how dialling it goes
     * @param peer     the node reached, or {@code null}
     * @param failures failed dials so far
     * @param lastError the last dial failure, or empty
     */
    public record SeedInfo(URI address, SeedState state, NodeId peer, int failures, String lastError) {
    }

    /** Where a seed is. */
    public enum SeedState {
        /** Not dialled yet (the engine has not started). */
        WAITING,
        /** A dial is under way. */
        DIALLING,
        /** The last dial failed; another follows after a backoff. */
        BACKING_OFF,
        /** Reached once; the registry does not dial it again (the Transport engine keeps the session). */
        CONNECTED,
        /** Not dialled: it names this node. */
        SELF
    }
}
