package io.hypha.admin.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The two files through which a client on the same machine finds the endpoint: {@code admin.port} (decimal port)
 * and {@code admin.token} (64 hex characters, owner-only permissions, new on every start).
 *
 * <p>Each file is written to a temporary name and moved into place, so that a client never reads half a file; the
 * token is written before the port, so that whoever sees a port also finds its token.
 */
final class AdminFiles {
    /** Name of the port file in the data directory. */
    static final String PORT_FILE = "admin.port";
    /** Name of the token file in the data directory. */
    static final String TOKEN_FILE = "admin.token";

    private final Path dataDir;

    AdminFiles(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** @return a fresh random token: 32 bytes from {@link SecureRandom}, hex encoded */
    static String newToken(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Publishes the endpoint.
     *
     * @param port  the bound port
     * @param token the token
     * @throws IOException if the files cannot be written
     */
    void publish(int port, String token) throws IOException {
        Files.createDirectories(dataDir);
        write(TOKEN_FILE, token + "\n");
        write(PORT_FILE, port + "\n");
    }

    /** Removes both files, the port first; missing files are fine. */
    void withdraw() throws IOException {
        Files.deleteIfExists(dataDir.resolve(PORT_FILE));
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
    }

    private void write(String name, String content) throws IOException {
        Path tmp;
        try {
            tmp = Files.createTempFile(dataDir, "." + name, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection is all there is
            tmp = Files.createTempFile(dataDir, "." + name, ".tmp");
        }
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dataDir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dataDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
