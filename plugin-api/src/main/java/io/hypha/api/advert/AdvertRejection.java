package io.hypha.api.advert;

/**
 * Why an advert was refused. Nodes count refusals by reason, so operators can tell noise (expired adverts from
 * slow peers) from attacks (bad signatures).
 */
public enum AdvertRejection {
    /** The bytes are not an advert: not the advert message, a field out of range, too many addresses or relays. */
    MALFORMED,
    /** The signature does not verify with the key of the node the advert is about: altered, or forged by another key. */
    BAD_SIGNATURE,
    /** The advert's expiry time has passed. */
    EXPIRED,
    /** The advert was created later than now, beyond the allowed clock skew. */
    NOT_YET_VALID,
    /**
     * The advert is valid but not newer than the one already held for the node (a replay, or a stale copy).
     * Returned by advert tables, never by {@link AdvertCodec#verify}.
     */
    OLDER_VERSION,
    /** The advert is valid but about another node than the one it was expected for (asked for, or connected to). */
    WRONG_NODE
}
