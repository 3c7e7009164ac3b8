package io.hypha.console.internal;

import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import io.hypha.api.engine.EngineName;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * The console's own engine, {@code console}: the sender of messages typed at the console, so that replies have
 * somewhere to go. Commands use its context from the Gogo thread (context methods are thread-safe); the engine
 * itself does nothing with the messages it receives beyond logging them (replies to requests complete the request
 * instead of arriving here; what arrives here is late or unsolicited).
 */
@Component(service = Engine.class)
@EngineName(ConsoleEngine.NAME)
public final class ConsoleEngine implements Engine {
    /** The engine name. */
    public static final String NAME = "console";

    private volatile EngineContext context;

    @Override
    public void onStart(EngineContext ctx) {
        context = ctx;
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) {
        ctx.log().info("console received {} (a late reply or an unsolicited message); ignored", message);
    }

    @Override
    public void onStop(EngineContext ctx) {
        context = null;
    }

    /** @return the engine's context while the engine runtime runs it */
    Optional<EngineContext> context() {
        return Optional.ofNullable(context);
    }
}
