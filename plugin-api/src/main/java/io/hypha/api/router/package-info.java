/**
 * Routing: the {@link io.hypha.api.router.Router} decides who receives a message. Local destinations go to
 * {@link io.hypha.api.router.LocalDelivery} (the engine runtime); remote ones go to a
 * {@link io.hypha.api.router.RemoteGateway} (the Transport engine) when one is installed.
 */
@Export
@Version("1.1.0")
package io.hypha.api.router;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
