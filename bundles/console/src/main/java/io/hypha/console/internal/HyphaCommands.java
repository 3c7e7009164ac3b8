package io.hypha.console.internal;

import io.hypha.api.DeliveryException;
import io.hypha.api.DeliveryFailure;
import io.hypha.api.EngineAddress;
import io.hypha.api.Envelope;
import io.hypha.api.NodeId;
import io.hypha.api.engine.DeadLetterLog;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineDirectory;
import io.hypha.api.identity.NodeIdentity;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.features.FeatureService;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code hypha:} commands with plain names: {@code node}, {@code engines}, {@code send}, {@code deadletters},
 * {@code features}. (The dashed ones are in {@link FeatureCommands}.)
 *
 * <p>Every service is an optional, dynamic reference, so the commands stay available while the node is half up and
 * say which feature is missing instead of disappearing. Each public method is a command: it computes its text with
 * the package-private method of the same purpose (tested without Gogo) and prints it to {@code System.out}, which
 * Gogo routes to the calling session. Failures are {@link CommandException}s with a message for the operator.
 */
@Component(service = HyphaCommands.class)
@GogoCommand(scope = "hypha", function = {"node", "engines", "send", "deadletters", "features"})
public final class HyphaCommands {
    /** Message type of the text {@code hypha:send} sends. */
    static final String TEXT_TYPE = "text";
    /** Default reply timeout of {@code hypha:send}, in milliseconds. */
    static final String DEFAULT_TIMEOUT = "5000";
    /** How long past the request timeout the console waits for the runtime to report the timeout itself. */
    static final long REPORT_GRACE_MILLIS = 2_000;

    @Reference(target = "(component.name=io.hypha.console.internal.ConsoleEngine)")
    Engine consoleEngine;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile NodeIdentity identity;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EngineDirectory directory;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile DeadLetterLog deadLetterLog;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile FeatureService featureService;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<TransportProtocol> transports = List.of();

    /** How long the node has run; the JVM's uptime, since a node is one process. Replaced in tests. */
    Supplier<Duration> uptime = () -> Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime());
    /** Extra wait past a request's timeout; replaced in tests. */
    long reportGraceMillis = REPORT_GRACE_MILLIS;

    @Descriptor("show this node: its id, uptime, engines and transports")
    public void node() {
        System.out.print(nodeText());
    }

    @Descriptor("list the engines on this node: state, mailbox fill, messages processed and failed, bundle")
    public void engines() throws CommandException {
        System.out.print(enginesText());
    }

    @Descriptor("send a text message to an engine as a request from the 'console' engine and print the reply;"
            + " fails if the message cannot be delivered, succeeds (saying so) if it was sent but no reply came in time."
            + " Forms: send <engine> <text>, send <engine>@<nodeid> <text>, send <nodeid> <engine> <text>")
    public void send(
            @Descriptor("how long to wait for the reply, in milliseconds (default " + DEFAULT_TIMEOUT + ")")
            @Parameter(names = {"-t", "--timeout"}, absentValue = DEFAULT_TIMEOUT) long timeoutMillis,
            @Descriptor("the destination engine: name (this node) or name@nodeid; or a node id (52 base32 characters),"
                    + " and then the engine's name comes next") String destination,
            @Descriptor("the text to send (after the engine name when a node id came first); several words are joined"
                    + " with single spaces") String... words) throws CommandException {
        System.out.print(sendText(destination, words, timeoutMillis));
    }

    @Descriptor("show messages that could not be delivered: counts by reason and the most recent letters")
    public void deadletters(
            @Descriptor("how many recent letters to show (default 20)")
            @Parameter(names = {"-n", "--limit"}, absentValue = "20") int limit) throws CommandException {
        System.out.print(deadLettersText(limit));
    }

    @Descriptor("list the features this node knows and whether each is installed;"
            + " hypha:feature-install <name> [--dry-run] installs one, hypha:feature-uninstall <name> [--dry-run] removes one")
    public void features() throws CommandException {
        System.out.print(featuresText());
    }

    String nodeText() {
        NodeIdentity id = identity;
        EngineDirectory dir = directory;
        List<String> schemes = transports.stream().map(TransportProtocol::scheme).toList();
        return ConsoleFormat.node(id == null ? null : id.id(), uptime.get(), dir == null ? null : dir.engines(), schemes);
    }

    String enginesText() throws CommandException {
        EngineDirectory dir = directory;
        if (dir == null) {
            throw unavailable("the engine runtime");
        }
        return ConsoleFormat.engines(dir.engines());
    }

    String deadLettersText(int limit) throws CommandException {
        if (limit < 0) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "--limit must be 0 or more, got " + limit);
        }
        DeadLetterLog log = deadLetterLog;
        if (log == null) {
            throw unavailable("the engine runtime");
        }
        NodeIdentity id = identity;
        return ConsoleFormat.deadLetters(log.counts(), log.recent(limit), id == null ? null : id.id());
    }

    String featuresText() throws CommandException {
        FeatureService features = featureService;
        if (features == null) {
            throw new CommandException(CommandException.Kind.UNAVAILABLE,
                    "the feature service is not running: the io.hypha.features bundle is missing or stopped (check with lb)");
        }
        return ConsoleFormat.features(features.features());
    }

    /**
     * Reads the arguments of {@code hypha:send} in either form and sends. A first argument that is a node id
     * (52 base32 characters) starts the three-part form {@code <nodeid> <engine> <text>}; anything else is an engine
     * address ({@code name} or {@code name@nodeid}) followed by the text. (An engine whose name happens to be a valid
     * node id is reached as {@code name@<this node's id>}.)
     *
     * @param destination   the first argument
     * @param words         the rest
     * @param timeoutMillis how long to wait for the reply
     * @return see {@link #sendText(String, String, long)}
     * @throws CommandException see {@link #sendText(String, String, long)}; also if a node id is not followed by an
     *                          engine name and a text
     */
    String sendText(String destination, String[] words, long timeoutMillis) throws CommandException {
        String[] rest = words == null ? new String[0] : words;
        if (destination == null || !isNodeId(destination)) {
            return sendText(destination, String.join(" ", rest), timeoutMillis);
        }
        if (rest.length < 2) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "after a node id give the engine and the text:"
                    + " hypha:send " + destination.trim() + " <engine> <text>");
        }
        if (rest[0].indexOf('@') >= 0) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "'" + rest[0] + "' names a node itself; after a node"
                    + " id give the engine's name alone: hypha:send <nodeid> <engine> <text>, or hypha:send <engine>@<nodeid> <text>");
        }
        String engine = rest[0];
        try {
            EngineAddress.checkEngineName(engine);
        } catch (IllegalArgumentException e) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "'" + engine + "' is not an engine name: " + e.getMessage());
        }
        String text = String.join(" ", Arrays.asList(rest).subList(1, rest.length));
        return sendText(engine + "@" + NodeId.parse(destination.trim()), text, timeoutMillis);
    }

    /** @return whether {@code text} is the text form of a node id */
    static boolean isNodeId(String text) {
        try {
            NodeId.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Sends {@code text} as a request from the console engine and waits for the outcome.
     *
     * @return the reply, or a note that none came within the timeout (the message was accepted, so the command
     *         succeeds: an engine need not reply)
     * @throws CommandException if the arguments are wrong, the runtime is not running, or the message was not
     *                          delivered (with the reason)
     */
    String sendText(String engine, String text, long timeoutMillis) throws CommandException {
        if (engine == null || engine.isBlank()) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "usage: hypha:send [--timeout ms] <engine>[@nodeid] <text>"
                    + ", or hypha:send [--timeout ms] <nodeid> <engine> <text>");
        }
        if (text.isBlank()) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "give the text to send: hypha:send " + engine + " <text>");
        }
        if (timeoutMillis <= 0) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "--timeout must be a positive number of milliseconds, got " + timeoutMillis);
        }
        EngineAddress to;
        try {
            to = EngineAddress.parse(engine);
        } catch (IllegalArgumentException e) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT, "'" + engine + "' is not an engine address: " + e.getMessage());
        }
        EngineContext ctx = consoleContext();
        Duration timeout = Duration.ofMillis(timeoutMillis);

        CompletableFuture<Envelope> outcome = new CompletableFuture<>();
        ctx.request(to, TEXT_TYPE, text, timeout).whenComplete((reply, error) -> {
            if (error != null) {
                outcome.completeExceptionally(error);
            } else {
                outcome.complete(reply);
            }
        });
        try {
            return ConsoleFormat.reply(to, outcome.get(timeoutMillis + reportGraceMillis, TimeUnit.MILLISECONDS), ctx.node());
        } catch (TimeoutException e) {
            return ConsoleFormat.noReply(to, timeout); // the runtime did not even report its timeout: same outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException(CommandException.Kind.INTERRUPTED, "interrupted while waiting for the reply from " + to);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (cause instanceof DeliveryException de) {
                if (de.failure() == DeliveryFailure.TIMEOUT) {
                    return ConsoleFormat.noReply(to, timeout);
                }
                throw new CommandException(CommandException.Kind.NOT_DELIVERED,
                        "not delivered to " + to + ": " + de.getMessage() + hint(de.failure()));
            }
            throw new CommandException(CommandException.Kind.NOT_DELIVERED, "the request to " + to + " failed: " + cause);
        }
    }

    private EngineContext consoleContext() throws CommandException {
        if (consoleEngine instanceof ConsoleEngine console) {
            return console.context().orElseThrow(() -> new CommandException(CommandException.Kind.UNAVAILABLE,
                    "the 'console' engine is not running: the engine runtime is not running (install feature core)"));
        }
        throw unavailable("the 'console' engine");
    }

    private static String hint(DeliveryFailure failure) {
        return switch (failure) {
            case NO_SUCH_ENGINE -> " (check the name with hypha:engines)";
            case NO_ROUTE -> " (no session with that node: hypha:peers lists them, hypha:connect <uri> reaches one)";
            case MAILBOX_FULL -> " (the engine is overloaded; try again later)";
            case ENGINE_STOPPED -> " (its bundle stopped; check lb)";
            case ENGINE_FAILED -> " (the engine threw; see the node's log)";
            case QUOTA_FULL -> " (the relay that holds messages for that edge node is at its quota; try again later)";
            default -> "";
        };
    }

    private static CommandException unavailable(String what) {
        return new CommandException(CommandException.Kind.UNAVAILABLE, what + " is not running: install feature core (hypha:feature-install core)");
    }
}
