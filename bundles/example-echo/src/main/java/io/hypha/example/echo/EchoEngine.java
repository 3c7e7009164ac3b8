package io.hypha.example.echo;

import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The echo engine: answers every message with an {@code echo.reply} carrying the same payload. It is the
 * template for writing an engine; copy it and change {@link #onMessage}.
 *
 * <ul>
 *   <li>Any message type is answered, not only {@code echo}: the engine is a probe for the console, the integration
 *       tests and the benchmarks, which should not need to agree on a type string with it.</li>
 *   <li>Messages that are themselves replies are not answered, so that two echo engines can never bounce a
 *       message between them forever.</li>
 *   <li>A message without a sender (typed in the console, say) is handled but gets no answer: there is no one to
 *       answer.</li>
 *   <li>A {@code String} payload is answered with {@link Config#prefix()} in front of it; any other payload (bytes,
 *       records, {@code null}) comes back as the same object, since local delivery never copies.</li>
 * </ul>
 */
// Why a DS component: the engine runtime finds engines on the service registry (the whiteboard pattern), so
// publishing the service is all it takes to be hosted: no registration code, and stopping the bundle unregisters it.
@Component(service = Engine.class, configurationPid = EchoEngine.PID)
// Why @EngineName: it stamps the hypha.engine.name service property, which is this engine's address on the node.
@EngineName(EchoEngine.NAME)
// Why @Designate: it publishes the Config below as metatype, so operators see and edit it (conf/io.hypha.example.echo.cfg).
@Designate(ocd = EchoEngine.Config.class)
public final class EchoEngine implements Engine {
    /** The engine's name, so its local address is {@code echo}. */
    public static final String NAME = "echo";
    /** Configuration PID: operators configure the engine in {@code conf/io.hypha.example.echo.cfg}. */
    public static final String PID = "io.hypha.example.echo";
    /** Type of every reply. */
    public static final String REPLY_TYPE = "echo.reply";

    /** The echo engine's settings; each attribute's description is what an operator reads. */
    @ObjectClassDefinition(name = "Hypha echo engine", description = "Answers every message with the same payload.")
    public @interface Config {
        /** @return the text put in front of String payloads */
        @AttributeDefinition(name = "Reply prefix",
                description = "Text put in front of String payloads in replies; other payloads are returned unchanged. "
                        + "Empty (the default): replies carry the payload as it came.")
        String prefix() default "";
    }

    private final String prefix;

    // Why a plain field without locks: the runtime never runs two callbacks of one engine at once, and each sees the
    // effects of the one before. Engine state is single-threaded by contract.
    private long handled;

    /**
     * Why constructor injection: the configuration is final for this instance. When an operator changes it, DS
     * makes a new instance (there is no {@code @Modified}); the runtime holds messages for the engine meanwhile.
     *
     * @param config the configuration
     */
    @Activate
    public EchoEngine(Config config) {
        this.prefix = config.prefix();
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        handled++;
        if (message.isReply()) {
            // Why: replying to a reply is how two echo engines would ping-pong forever.
            ctx.log().debug("Not answering reply {}", message);
            return;
        }
        if (message.src() == null) {
            // ctx.reply would do nothing too; saying so in the log helps whoever wonders where the answer went.
            ctx.log().debug("Nobody to answer for {}", message);
            return;
        }
        // Why reply() and not send(): reply() addresses the sender and sets inReplyTo, which is what completes the
        // sender's request stage; a plain send would reach it as a new, unrelated message.
        ctx.reply(message, REPLY_TYPE, echo(message.payload()));
        ctx.log().debug("Echoed {}", message);
    }

    private Object echo(Object payload) {
        return payload instanceof String text ? prefix + text : payload;
    }

    /** @return how many messages this instance handled (read it on the engine's turn, or expect a stale value) */
    public long handled() {
        return handled;
    }
}
