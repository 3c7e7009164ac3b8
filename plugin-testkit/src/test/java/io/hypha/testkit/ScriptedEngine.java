package io.hypha.testkit;

import io.hypha.api.DeadLetter;
import io.hypha.api.Envelope;
import io.hypha.api.engine.Engine;
import io.hypha.api.engine.EngineContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An engine whose behaviour per message type is set by the test; it records what happened to it. */
final class ScriptedEngine implements Engine {
    /** What to do with one message. */
    interface Handler {
        void handle(Envelope message, EngineContext ctx) throws Exception;
    }

    final List<String> events = new ArrayList<>();
    final List<DeadLetter> undeliverable = new ArrayList<>();
    private final Map<String, Handler> handlers = new HashMap<>();
    EngineContext startedWith;

    ScriptedEngine on(String type, Handler handler) {
        handlers.put(type, handler);
        return this;
    }

    @Override
    public void onStart(EngineContext ctx) {
        startedWith = ctx;
        events.add("start");
    }

    @Override
    public void onMessage(Envelope message, EngineContext ctx) throws Exception {
        Handler handler = handlers.get(message.type());
        if (handler == null) {
            events.add("unhandled " + message.type());
            return;
        }
        handler.handle(message, ctx);
    }

    @Override
    public void onUndeliverable(DeadLetter letter, EngineContext ctx) {
        undeliverable.add(letter);
    }

    @Override
    public void onStop(EngineContext ctx) {
        events.add("stop");
    }
}
