package io.hypha.api;

import java.util.Objects;

/**
 * Where a message goes: an engine name on a node.
 *
 * <p>A {@code null} node means "this node". Engine names are non-empty, at most 128 characters, and use
 * letters, digits, {@code . _ -} only, so that they can be typed in the console and carried on the wire.
 * The text form is {@code engine} for a local address and {@code engine@nodeid} for a remote one.
 *
 * @param node   the node, or {@code null} for the local node
 * @param engine the engine's name on that node
 */
public record EngineAddress(NodeId node, String engine) {
    /** Longest engine name accepted. */
    public static final int MAX_ENGINE_NAME = 128;

    /** @throws IllegalArgumentException if the engine name is empty, too long or has characters outside {@code [A-Za-z0-9._-]} */
    public EngineAddress {
        checkEngineName(engine);
    }

    /**
     * @param engine an engine name
     * @return the address of that engine on the local node
     */
    public static EngineAddress local(String engine) {
        return new EngineAddress(null, engine);
    }

    /**
     * @param node   the node
     * @param engine the engine name
     * @return the address of that engine on the given node
     */
    public static EngineAddress of(NodeId node, String engine) {
        return new EngineAddress(Objects.requireNonNull(node, "node"), engine);
    }

    /**
     * Parses {@code engine} or {@code engine@nodeid}.
     *
     * @param text the text form
     * @return the address
     * @throws IllegalArgumentException if the text is not a valid address
     */
    public static EngineAddress parse(String text) {
        int at = text.indexOf('@');
        return at < 0 ? local(text) : of(NodeId.parse(text.substring(at + 1)), text.substring(0, at));
    }

    /** @return whether this address names the local node (its node is {@code null}) */
    public boolean isLocal() {
        return node == null;
    }

    /**
     * @param nodeId a node
     * @return this address with its node set to {@code nodeId} if it had none
     */
    public EngineAddress onNode(NodeId nodeId) {
        return node == null ? new EngineAddress(nodeId, engine) : this;
    }

    /**
     * Checks an engine name.
     *
     * @param engine the name
     * @throws IllegalArgumentException if it is not a valid engine name
     */
    public static void checkEngineName(String engine) {
        if (engine == null || engine.isEmpty()) {
            throw new IllegalArgumentException("an engine name must not be empty");
        }
        if (engine.length() > MAX_ENGINE_NAME) {
            throw new IllegalArgumentException("engine name longer than " + MAX_ENGINE_NAME + " characters: " + engine.substring(0, 32) + "...");
        }
        for (int i = 0; i < engine.length(); i++) {
            char c = engine.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("engine name '" + engine + "' has '" + c + "'; use letters, digits, '.', '_' or '-'");
            }
        }
    }

    @Override
    public String toString() {
        return node == null ? engine : engine + "@" + node;
    }
}
