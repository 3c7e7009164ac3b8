package io.hypha.transport.tls.internal;

import io.hypha.api.NodeId;
import io.hypha.api.transport.TransportError;
import io.hypha.api.transport.TransportException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * A {@code tls://[<node id>@]host:port} address, checked.
 *
 * @param host the host name or IP literal (without brackets)
 * @param port the port, 0 to 65535 (0 only to listen)
 * @param node the node id named in the user-info part, or {@code null}
 */
record TlsAddress(String host, int port, NodeId node) {
    /**
     * @param uri  the address
     * @param dial whether it is dialled (port 0 is refused) rather than bound
     * @return the checked address
     * @throws TransportException with {@link TransportError#BAD_ADDRESS} if it is not a valid tls address
     */
    static TlsAddress parse(URI uri, boolean dial) throws TransportException {
        if (uri == null) {
            throw bad("no address given", null);
        }
        if (!TlsTransport.SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw bad("'" + uri + "' is not a " + TlsTransport.SCHEME + ":// address", null);
        }
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null || host.isEmpty() || port < 0) {
            throw bad("'" + uri + "' needs a host and a port, as in tls://127.0.0.1:4001", null);
        }
        if (dial && port == 0) {
            throw bad("'" + uri + "': port 0 cannot be dialled", null);
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw bad("'" + uri + "' has a path, query or fragment; a tls address is tls://[node@]host:port", null);
        }
        NodeId node = null;
        if (uri.getUserInfo() != null) {
            try {
                node = NodeId.parse(uri.getUserInfo());
            } catch (IllegalArgumentException e) {
                throw bad("'" + uri + "': the part before '@' is not a node id", e);
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new TlsAddress(host, port, node);
    }

    /**
     * @param address a socket address
     * @return its {@code tls://host:port} form
     */
    static URI uriOf(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return uri(host, address.getPort());
    }

    /** @return this address without the node id */
    URI uri() {
        return uri(host, port);
    }

    private static URI uri(String host, int port) {
        try {
            return new URI(TlsTransport.SCHEME, null, host, port, null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid host: " + host, e);
        }
    }

    private static TransportException bad(String message, Throwable cause) {
        return new TransportException(TransportError.BAD_ADDRESS, message, cause);
    }
}
