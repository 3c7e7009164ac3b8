package io.hypha.admin.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin endpoint: a loopback-only socket on which {@code ./hypha exec} runs Gogo commands and
 * {@code ./hypha stop} stops the node. The wire format is described in {@link AdminProtocol}.
 *
 * <p>On activation it binds {@code 127.0.0.1} (never another interface), makes a new random token and publishes
 * {@code <hypha.data>/admin.port} and {@code <hypha.data>/admin.token} (mode 0600). Only a user who can read the
 * data directory can therefore talk to the node. Deactivation closes the socket and deletes both files.
 *
 * <p>Each command runs in a fresh Gogo session (see {@link GogoCommandRunner}); the verb {@code shutdown} is reserved
 * and stops the system bundle, asynchronously, after the reply has been sent.
 */
@Component(service = {}, configurationPid = AdminEndpoint.PID)
@Designate(ocd = AdminEndpoint.Config.class)
public final class AdminEndpoint {
    /** Configuration PID. */
    public static final String PID = "io.hypha.admin";

    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoint.class);

    /** Configuration of the admin endpoint (PID {@value #PID}). */
    @ObjectClassDefinition(name = "Hypha admin endpoint",
            description = "Loopback endpoint used by './hypha exec' and './hypha stop'.")
    public @interface Config {
        /** @return the port */
        @AttributeDefinition(description = "TCP port on 127.0.0.1; 0 picks a free port. The port in use is written to <hypha.data>/admin.port.")
        int port() default 0;

        /** @return the connection bound */
        @AttributeDefinition(description = "Connections served at once (1..256); a client beyond this bound is answered BUSY.")
        int maxConnections() default 4;

        /** @return the command timeout */
        @AttributeDefinition(description = "Milliseconds one command may run; then it is interrupted and the client is answered TIMEOUT.")
        long commandTimeoutMillis() default 60_000;

        /** @return the command length bound */
        @AttributeDefinition(description = "Longest command line accepted, in UTF-8 bytes (16..1048576); longer ones are answered TOO_LONG unread.")
        int maxCommandLength() default 8192;

        /** @return the request read timeout */
        @AttributeDefinition(description = "Milliseconds a client may take to send its whole request; then it is answered BAD_REQUEST and closed.")
        long readTimeoutMillis() default 5_000;

        /** @return the output bound */
        @AttributeDefinition(description = "Bytes of output kept per command (at least 1024); the rest is dropped and the client told how much.")
        int maxOutputBytes() default 4 << 20;
    }

    private final AdminServer server;
    private final AdminFiles files;

    /**
     * Binds the socket and publishes the port and token files.
     *
     * @param context   the bundle context, for {@code hypha.data} and to stop the framework
     * @param config    the bounds
     * @param processor Gogo's command processor
     * @throws IOException if the port cannot be bound or the files cannot be written
     */
    @Activate
    public AdminEndpoint(BundleContext context, Config config, @Reference CommandProcessor processor) throws IOException {
        AdminSettings settings = new AdminSettings(config.port(), config.maxConnections(), config.commandTimeoutMillis(),
                config.maxCommandLength(), config.readTimeoutMillis(), config.maxOutputBytes());
        Path dataDir = dataDir(context);
        String token = AdminFiles.newToken(new SecureRandom());
        this.files = new AdminFiles(dataDir);
        this.server = AdminServer.start(settings, token, new GogoCommandRunner(processor), () -> stopFramework(context));
        try {
            files.publish(server.port(), token);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("admin: endpoint listening on 127.0.0.1:{} for data directory {}", server.port(), dataDir);
    }

    /** Closes the socket and removes the port and token files. */
    @Deactivate
    void deactivate() {
        try {
            files.withdraw();
        } catch (IOException e) {
            LOG.warn("admin: could not delete the admin.port/admin.token files", e);
        }
        server.close();
        LOG.info("admin: endpoint on port {} closed ({} requests refused for a wrong token)", server.port(), server.refusedTokens());
    }

    private static Path dataDir(BundleContext context) {
        String data = context.getProperty("hypha.data");
        if (data != null && !data.isBlank()) {
            return Path.of(data).toAbsolutePath();
        }
        Path fallback = context.getDataFile("").toPath().toAbsolutePath();
        LOG.warn("admin: framework property hypha.data is not set; publishing admin.port/admin.token in {}", fallback);
        return fallback;
    }

    private static void stopFramework(BundleContext context) {
        // Stopping the system bundle deactivates this component, which waits for its own threads: do it from a
        // thread of its own so that the connection that asked can finish first.
        Thread stopper = new Thread(() -> {
            try {
                context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.error("admin: stopping the framework failed", e);
            }
        }, "hypha-admin-shutdown");
        stopper.setDaemon(false);
        stopper.start();
    }
}
