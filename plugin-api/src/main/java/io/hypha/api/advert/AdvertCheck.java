package io.hypha.api.advert;

import java.util.Objects;

/**
 * The outcome of checking an advert: {@link Accepted} with the advert, or {@link Rejected} with the reason.
 *
 * <pre>
 * AdvertCheck check = codec.decode(bytes, peer, now);
 * if (check instanceof AdvertCheck.Accepted accepted) {
 *     use(accepted.advert());
 * } else if (check instanceof AdvertCheck.Rejected rejected) {
 *     count(rejected.reason());
 * }
 * </pre>
 */
public sealed interface AdvertCheck {
    /**
     * The advert is well formed, signed by its node, and valid now.
     *
     * @param advert the advert
     */
    record Accepted(NodeAdvert advert) implements AdvertCheck {
        /** @throws NullPointerException if the advert is null */
        public Accepted {
            Objects.requireNonNull(advert, "advert");
        }
    }

    /**
     * The advert was refused.
     *
     * @param reason why
     */
    record Rejected(AdvertRejection reason) implements AdvertCheck {
        /** @throws NullPointerException if the reason is null */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
