package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import io.hypha.api.identity.CryptoSuite;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.seal.SealException;
import io.hypha.api.seal.Sealer;
import java.io.File;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity bundle's main component: loads (or on first start makes) the node key from {@link KeyFile} and
 * offers it as {@link NodeIdentity}, with {@link CryptoSuite} beside it, and as {@link Sealer} (payloads sealed end
 * to end for this node are opened with the same key, see {@link NodeSealer}); the private key stays in this
 * bundle. The bundle's other component, {@link io.hypha.identity.internal.tls.TlsCredentialsComponent}, builds the
 * TLS credentials on this identity.
 *
 * <p>If the key file cannot be used, activation fails with a {@link KeyFileException} that says what to do, the
 * services are never registered, and everything that needs a node identity stays unsatisfied: a node must not run
 * under an identity it was not given. A configuration change re-activates the component (there is no
 * {@code @Modified}), so services are re-registered with the key of the new file.
 */
@Component(service = {NodeIdentity.class, CryptoSuite.class, Sealer.class}, configurationPid = IdentityComponent.PID)
@Designate(ocd = IdentityComponent.Config.class)
public final class IdentityComponent implements NodeIdentity, CryptoSuite, Sealer {
    /** Configuration PID of this component. */
    public static final String PID = "io.hypha.identity";
    /** Framework property naming the node's data directory (set by the launcher). */
    public static final String DATA_PROPERTY = "hypha.data";
    /** Placeholder in {@link Config#keyFile()} replaced by the data directory. */
    public static final String DATA_PLACEHOLDER = "${" + DATA_PROPERTY + "}";
    /** The default key file path. */
    public static final String DEFAULT_KEY_FILE = DATA_PLACEHOLDER + "/identity/node.key";

    private static final Logger LOG = LoggerFactory.getLogger(IdentityComponent.class);

    /** Configuration of the node identity. */
    @ObjectClassDefinition(id = PID, name = "Hypha node identity",
            description = "Where the node's Ed25519 key is kept. The key is made on first start; "
                    + "a key file that cannot be used stops the node instead of being replaced.")
    public @interface Config {
        /** @return the key file path */
        @AttributeDefinition(name = "Key file",
                description = "Path of the node key file (format hypha-node-key-v1, mode 0600). "
                        + "${hypha.data} stands for the node's data directory; if the framework property hypha.data "
                        + "is not set, the identity bundle's own data area is used instead. A relative path is "
                        + "resolved against the same directory. Empty means the default. Changing it gives the "
                        + "node the identity kept in the new file (a new node id if that file does not exist yet).")
        String keyFile() default DEFAULT_KEY_FILE;
    }

    private final Ed25519NodeKey key;
    private final Crypto crypto = new Crypto();
    private final NodeSealer sealer;

    /**
     * Loads or makes the node key.
     *
     * @param context the bundle context, for {@code hypha.data} and the bundle's data area
     * @param config  the configuration
     * @throws KeyFileException if the key file cannot be used; the file is left untouched
     */
    @Activate
    public IdentityComponent(BundleContext context, Config config) throws KeyFileException {
        Path file = resolveKeyFile(config.keyFile(), context.getProperty(DATA_PROPERTY), () -> context.getDataFile(""));
        SecureRandom random = new SecureRandom();
        this.key = new KeyFile(file).loadOrCreate(random);
        this.sealer = new NodeSealer(key, random);
        LOG.info("Node {} identity ready (key file {})", key.id(), file);
    }

    /**
     * Turns the configured path into a file.
     *
     * @param configured the configured path, possibly with {@link #DATA_PLACEHOLDER}; empty or null for the default
     * @param hyphaData  the {@code hypha.data} framework property, or null
     * @param dataArea   the bundle's data area (consulted only when {@code hypha.data} is unset)
     * @return the absolute key file path
     * @throws IllegalStateException if neither {@code hypha.data} nor a bundle data area exists
     */
    static Path resolveKeyFile(String configured, String hyphaData, Supplier<File> dataArea) {
        String path = configured == null || configured.isBlank() ? DEFAULT_KEY_FILE : configured.trim();
        Path base;
        if (hyphaData != null && !hyphaData.isBlank()) {
            base = Path.of(hyphaData.trim());
        } else {
            File area = dataArea.get();
            if (area == null) {
                throw new IllegalStateException("No place for the node key: the framework property " + DATA_PROPERTY
                        + " is not set and the framework gives the identity bundle no data area. Set "
                        + DATA_PROPERTY + ", or an absolute keyFile in the " + PID + " configuration.");
            }
            base = area.toPath();
            if (path.contains(DATA_PLACEHOLDER) || !Path.of(path).isAbsolute()) {
                LOG.warn("Framework property {} is not set; keeping the node key under the identity bundle's data area {}",
                        DATA_PROPERTY, base);
            }
        }
        Path file = Path.of(path.replace(DATA_PLACEHOLDER, base.toString()));
        return base.resolve(file).toAbsolutePath().normalize();
    }

    @Override
    public NodeId id() {
        return key.id();
    }

    @Override
    public byte[] sign(String context, byte[] message) {
        return key.sign(context, message);
    }

    @Override
    public boolean verify(NodeId signer, String context, byte[] message, byte[] signature) {
        return crypto.verify(signer, context, message, signature);
    }

    @Override
    public byte[] digest(byte[] data) {
        return crypto.digest(data);
    }

    @Override
    public byte[] seal(NodeId recipient, byte[] plaintext) {
        return sealer.seal(recipient, plaintext);
    }

    @Override
    public byte[] open(byte[] sealed) throws SealException {
        return sealer.open(sealed);
    }

    @Override
    public byte[] sealFrom(NodeId recipient, byte[] plaintext) {
        return sealer.sealFrom(recipient, plaintext);
    }

    @Override
    public byte[] openFrom(NodeId sender, byte[] sealed) throws SealException {
        return sealer.openFrom(sender, sealed);
    }
}
