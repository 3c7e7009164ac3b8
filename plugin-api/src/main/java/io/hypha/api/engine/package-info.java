/**
 * The engine SPI: an {@link io.hypha.api.engine.Engine} decides what a message does; the platform gives it an
 * {@link io.hypha.api.engine.EngineContext} to send, request, reply and set timers.
 *
 * <p>To write an engine, implement {@code Engine} in a Declarative Services component and name it with
 * {@link io.hypha.api.engine.EngineName}:
 * <pre>
 * &#64;Component(service = Engine.class)
 * &#64;EngineName("echo")
 * public final class EchoEngine implements Engine {
 *     public void onMessage(Envelope m, EngineContext ctx) {
 *         ctx.reply(m, "echo.reply", m.payload());
 *     }
 * }
 * </pre>
 * The engine runtime picks the service up from the whiteboard, gives it a bounded mailbox, and calls it with one
 * message at a time.
 */
@Export
@Version("1.0.0")
package io.hypha.api.engine;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
