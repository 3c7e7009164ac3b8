/**
 * Hypha's node-to-node wire format: the Protocol Buffers messages generated from {@code hypha_wire.proto}
 * ({@link io.hypha.wire.Frame} and its kinds) and the codec that turns them into length-prefixed frames and back.
 * {@code docs/wire-protocol.md} is the specification.
 *
 * <pre>
 *  Transport engine                                         transport protocol (byte stream: TLS, QUIC stream)
 *  Frame ──{@link io.hypha.wire.FrameCodec#encode}──▶ frame bytes ──▶ Connection.send ──▶ {@link io.hypha.wire.LengthPrefix} + bytes ──▶ wire
 *  Frame ◀─{@link io.hypha.wire.FrameCodec#decode}─── frame bytes ◀── onFrame ◀──────── {@link io.hypha.wire.FrameDecoder#next} ◀── wire
 * </pre>
 *
 * <p>Every failure to read a frame is a {@link io.hypha.wire.FrameException} with a {@link io.hypha.wire.FrameError}:
 * after one, the connection cannot be trusted to be in step and is closed.
 *
 * <p>Version 1.1: {@link io.hypha.wire.NodeAdvert} and {@link io.hypha.wire.TransportAddress}, generated from
 * {@code hypha_advert.proto} (node adverts travel as message payloads, not as a frame kind); read and write them with
 * {@link io.hypha.wire.advert.ProtobufAdvertCodec}.
 */
@Export
@Version("1.1.0")
package io.hypha.wire;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
