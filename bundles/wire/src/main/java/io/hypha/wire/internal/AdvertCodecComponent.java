package io.hypha.wire.internal;

import io.hypha.api.NodeId;
import io.hypha.api.advert.AdvertCheck;
import io.hypha.api.advert.AdvertCodec;
import io.hypha.api.advert.AdvertContent;
import io.hypha.api.advert.NodeAdvert;
import io.hypha.api.identity.CryptoSuite;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.wire.advert.ProtobufAdvertCodec;
import java.time.Duration;
import java.time.Instant;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers the platform's {@link AdvertCodec}: a {@link ProtobufAdvertCodec} checking signatures with the identity
 * bundle's {@link CryptoSuite}. A configuration change re-activates it with the new clock skew.
 */
@Component(service = AdvertCodec.class, configurationPid = AdvertCodecComponent.PID)
@Designate(ocd = AdvertCodecComponent.Config.class)
public final class AdvertCodecComponent implements AdvertCodec {
    /** Configuration PID. */
    public static final String PID = "io.hypha.wire.advert";

    /** Configuration of advert checking. */
    @ObjectClassDefinition(id = PID, name = "Hypha node adverts",
            description = "How node adverts received from other nodes are checked.")
    public @interface Config {
        /** @return the allowed clock skew in seconds */
        @AttributeDefinition(name = "Clock skew allowance (seconds)",
                description = "An advert whose creation time is later than now by more than this is refused as not "
                        + "yet valid (the signer's clock runs ahead, or the advert was made up for later). At least 0, "
                        + "at most 86400. Default 300 (5 minutes).")
        long maxClockSkewSeconds() default 300L;
    }

    private final ProtobufAdvertCodec codec;

    /**
     * @param crypto checks signatures
     * @param config the configuration
     * @throws IllegalArgumentException if the skew is out of range (the component then stays inactive)
     */
    @Activate
    public AdvertCodecComponent(@Reference CryptoSuite crypto, Config config) {
        long skew = config.maxClockSkewSeconds();
        if (skew < 0 || skew > 86_400) {
            throw new IllegalArgumentException(PID + ": maxClockSkewSeconds must be between 0 and 86400, got " + skew);
        }
        this.codec = new ProtobufAdvertCodec(crypto, Duration.ofSeconds(skew));
    }

    @Override
    public NodeAdvert sign(AdvertContent content, NodeIdentity signer) {
        return codec.sign(content, signer);
    }

    @Override
    public byte[] encode(NodeAdvert advert) {
        return codec.encode(advert);
    }

    @Override
    public AdvertCheck decode(byte[] encoded, NodeId expected, Instant now) {
        return codec.decode(encoded, expected, now);
    }

    @Override
    public AdvertCheck verify(NodeAdvert advert, NodeId expected, Instant now) {
        return codec.verify(advert, expected, now);
    }
}
