package io.hypha.relay.internal.engine;

import io.hypha.api.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge nodes registered with this relay, kept in a small text file beside the store so that a restarted relay still
 * takes messages for edge nodes that are offline. One line per edge: {@code <node id> <registered at, epoch ms>}. The
 * file is replaced atomically (written beside it, then moved), so a crash leaves the old or the new list, never a torn
 * one; lines that cannot be read are skipped with a warning.
 */
public final class RegisteredEdges {
    /** The file's name in the relay's directory. */
    public static final String FILE_NAME = "registered-edges";
    private static final Logger LOG = LoggerFactory.getLogger(RegisteredEdges.class);

    private final Path file;

    /** @param dir the relay's directory */
    public RegisteredEdges(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /**
     * @return the registrations, by edge; empty if there is no file
     * @throws IOException if the file exists but cannot be read
     */
    public Map<NodeId, Long> load() throws IOException {
        Map<NodeId, Long> edges = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return edges;
        }
        int line = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line++;
            String t = text.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s+");
            try {
                edges.put(NodeId.parse(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0L);
            } catch (IllegalArgumentException e) {
                LOG.warn("{} line {}: skipped, not '<node id> <epoch ms>': {}", file, line, e.getMessage());
            }
        }
        return edges;
    }

    /**
     * Replaces the file with these registrations.
     *
     * @param edges the registrations, by edge
     * @throws IOException if the file cannot be written
     */
    public void save(Map<NodeId, Long> edges) throws IOException {
        List<String> lines = new ArrayList<>(edges.size() + 1);
        lines.add("# edge nodes registered with this relay: node id, registered at (epoch ms); written by the relay engine");
        edges.forEach((edge, at) -> lines.add(edge + " " + at));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** @return the file */
    public Path file() {
        return file;
    }
}
