package io.hypha.transport.internal.engine;

import io.hypha.api.transport.ListeningEndpoint;
import io.hypha.api.transport.TransportProtocol;
import io.hypha.transport.internal.TransportSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installed {@link TransportProtocol}s (the whiteboard, as the engine sees it), their listening endpoints and
 * their counters. Engine thread only, except {@link #listening()}.
 *
 * <p>Several protocols may serve one scheme for a moment (a bundle update that registers the new service before the
 * old one goes): the last registered dials, each listens.
 */
final class Protocols {
    private static final Logger LOG = LoggerFactory.getLogger(Protocols.class);

    private final TransportEngine engine;
    /** Installed protocols by scheme, oldest first. */
    private final Map<String, List<ProtocolHandle>> byScheme = new LinkedHashMap<>();
    /** Counters by scheme, kept after a protocol goes so the console shows its history. */
    private final Map<String, SchemeStats> stats = new LinkedHashMap<>();
    private Set<String> installed = Set.of();
    private volatile List<URI> listening = List.of();

    Protocols(TransportEngine engine) {
        this.engine = engine;
    }

    /** @return the schemes with an installed protocol */
    Set<String> installedSchemes() {
        return installed;
    }

    /** @param scheme a scheme @return whether a protocol serves it */
    boolean isInstalled(String scheme) {
        return installed.contains(scheme);
    }

    /** @return the bound listening addresses (any thread) */
    List<URI> listening() {
        return listening;
    }

    /** @return the counters of each scheme seen since start */
    Iterable<SchemeStats> stats() {
        return stats.values();
    }

    private SchemeStats stats(String scheme) {
        return stats.computeIfAbsent(scheme, SchemeStats::new);
    }

    /** @param scheme a scheme @return the protocol that dials it, or {@code null} */
    ProtocolHandle current(String scheme) {
        List<ProtocolHandle> list = byScheme.get(scheme);
        return list == null || list.isEmpty() ? null : list.get(list.size() - 1);
    }

    /** A protocol appeared: it listens on the configured addresses of its scheme, and waiting peers are dialled. */
    void add(TransportProtocol protocol) {
        String scheme = protocol.scheme();
        ProtocolHandle handle = new ProtocolHandle(engine, protocol, scheme, stats(scheme));
        byScheme.computeIfAbsent(scheme, k -> new ArrayList<>(1)).add(handle);
        installed = Set.copyOf(byScheme.keySet());
        LOG.info("node {}: transport protocol {} installed ({})", engine.selfShort, scheme, protocol.getClass().getName());
        for (URI uri : engine.settings().listen()) {
            if (scheme.equals(uri.getScheme())) {
                listen(handle, uri);
            }
        }
        engine.sessions.onProtocolAdded();
    }

    /**
     * A protocol is going away: its endpoints close; the caller closes its links.
     *
     * @return its handle, or {@code null} if it was not installed
     */
    ProtocolHandle remove(TransportProtocol protocol) {
        ProtocolHandle handle = null;
        for (List<ProtocolHandle> list : byScheme.values()) {
            for (ProtocolHandle h : list) {
                if (h.protocol == protocol) {
                    handle = h;
                }
            }
        }
        if (handle == null) {
            return null;
        }
        handle.removed = true;
        List<ProtocolHandle> list = byScheme.get(handle.scheme);
        list.remove(handle);
        if (list.isEmpty()) {
            byScheme.remove(handle.scheme);
        }
        installed = Set.copyOf(byScheme.keySet());
        handle.endpoints.forEach(Protocols::closeQuietly);
        handle.endpoints.clear();
        publishListening();
        LOG.info("node {}: transport protocol {} removed", engine.selfShort, handle.scheme);
        return handle;
    }

    private void listen(ProtocolHandle handle, URI uri) {
        CompletionStage<ListeningEndpoint> stage;
        try {
            stage = handle.protocol.listen(uri, handle);
        } catch (RuntimeException e) {
            LOG.error("node {}: cannot listen on {}: {}", engine.selfShort, uri, e.toString());
            return;
        }
        stage.whenComplete((endpoint, failure) -> engine.command(() -> onListening(handle, uri, endpoint, failure)));
    }

    private void onListening(ProtocolHandle handle, URI uri, ListeningEndpoint endpoint, Throwable failure) {
        if (failure != null) {
            LOG.error("node {}: cannot listen on {}: {}", engine.selfShort, uri, TransportEngine.describe(failure));
            return;
        }
        if (handle.removed || engine.isClosed() || !engine.settings().listen().contains(uri)) {
            closeQuietly(endpoint);
            return;
        }
        handle.endpoints.add(endpoint);
        publishListening();
        LOG.info("node {}: listening on {}", engine.selfShort, endpoint.address());
    }

    /** The listen addresses changed: close what is no longer configured, listen on what is new. */
    void onSettings(TransportSettings old, TransportSettings now) {
        if (old.listen().equals(now.listen())) {
            return;
        }
        for (List<ProtocolHandle> list : byScheme.values()) {
            for (ProtocolHandle h : list) {
                for (Iterator<ListeningEndpoint> it = h.endpoints.iterator(); it.hasNext(); ) {
                    ListeningEndpoint e = it.next();
                    if (!now.listen().contains(requestedFor(old, e))) {
                        closeQuietly(e);
                        it.remove();
                    }
                }
                for (URI uri : now.listen()) {
                    if (h.scheme.equals(uri.getScheme()) && !old.listen().contains(uri)) {
                        listen(h, uri);
                    }
                }
            }
        }
        publishListening();
    }

    /** @return the configured address an endpoint was opened for (its bound address, or the one that asked for it) */
    private static URI requestedFor(TransportSettings old, ListeningEndpoint e) {
        URI bound = e.address();
        for (URI uri : old.listen()) {
            if (uri.getScheme().equals(bound.getScheme()) && (uri.getPort() == 0 || uri.getPort() == bound.getPort())
                    && uri.getHost().equals(bound.getHost())) {
                return uri;
            }
        }
        return bound;
    }

    private void publishListening() {
        List<URI> out = new ArrayList<>();
        for (List<ProtocolHandle> list : byScheme.values()) {
            for (ProtocolHandle h : list) {
                for (ListeningEndpoint e : h.endpoints) {
                    out.add(e.address());
                }
            }
        }
        listening = List.copyOf(out);
    }

    /** @return the installed schemes and their current listening addresses */
    Map<String, List<URI>> listeningByScheme() {
        Map<String, List<URI>> out = new HashMap<>();
        for (Map.Entry<String, List<ProtocolHandle>> e : byScheme.entrySet()) {
            List<URI> uris = new ArrayList<>();
            for (ProtocolHandle h : e.getValue()) {
                for (ListeningEndpoint ep : h.endpoints) {
                    uris.add(ep.address());
                }
            }
            out.put(e.getKey(), uris);
        }
        return out;
    }

    /** The engine stops: every endpoint closes, late callbacks are ignored. */
    void stop() {
        for (List<ProtocolHandle> list : byScheme.values()) {
            for (ProtocolHandle h : list) {
                h.removed = true;
                h.endpoints.forEach(Protocols::closeQuietly);
                h.endpoints.clear();
            }
        }
        publishListening();
    }

    private static void closeQuietly(ListeningEndpoint endpoint) {
        try {
            endpoint.close();
        } catch (RuntimeException e) {
            LOG.debug("closing listening endpoint {} threw {}", endpoint, e.toString());
        }
    }
}
