/**
 * The transport SPI: a {@link io.hypha.api.transport.TransportProtocol} moves opaque frames between two
 * authenticated peers. It knows frames and peers, never engines or domains; the Transport engine above it numbers,
 * acknowledges and resends messages, so a protocol may lose frames when a connection breaks.
 *
 * <pre>
 *  Transport engine ──dial(uri, peer)──▶ TransportProtocol ──▶ Connection.send(frame) ──▶ wire
 *        ▲                                   │ listen(uri)
 *        └──── ConnectionHandler.onFrame ◀───┘ (inbound connections are announced with onConnected)
 * </pre>
 */
@Export
@Version("1.1.0")
package io.hypha.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
