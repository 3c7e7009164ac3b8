package io.hypha.identity.internal;

import io.hypha.api.NodeId;
import io.hypha.identity.internal.KeyFileException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that keeps a node's Ed25519 key, and the rules for reading and making it.
 *
 * <h2>Format {@code hypha-node-key-v1}</h2>
 * ASCII text, three lines, each ended by {@code \n} (116 bytes in all):
 * <pre>
 * hypha-node-key-v1
 * &lt;the 32-byte RFC 8032 private seed, RFC 4648 base64 with padding: 44 characters&gt;
 * &lt;the node id: the public key derived from the seed, in NodeId text form (lowercase base32): 52 characters&gt;
 * </pre>
 * The third line lets an operator read the node id with {@code tail -1}, and is a check value: a seed that does
 * not derive the written node id is refused as corrupt, so a damaged seed can never silently become another
 * identity. A {@code \r} before a line end, and a missing final {@code \n}, are tolerated (a hand-copied file);
 * anything else is refused.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A missing file is made on first start: seed from {@link SecureRandom}, written to a temporary file created
 *       with mode 0600 (set at creation, never widened then narrowed), forced to disk, then linked into place
 *       atomically, so a crash leaves either no key file or a complete one. The directory is created with mode
 *       0700; an existing directory open to others is only warned about.</li>
 *   <li>An existing file is never replaced or rewritten. If it cannot be used (not a regular file, unreadable,
 *       corrupt, an unknown version, or open to group or others) loading throws {@link KeyFileException} and
 *       start-up stops: an operator must decide, because a new key is a new node id.</li>
 *   <li>Permissions: like OpenSSH, a key file that group or others may read, write or execute is refused
 *       ({@link Reason#WRONG_PERMISSIONS}) rather than warned about: a key others could read must be
 *       considered exposed, and refusing makes the operator notice. A file whose owner has no read permission is
 *       refused as {@link Reason#UNREADABLE}, even when the process (root) could read it. On file systems without
 *       POSIX permissions the checks are skipped with a warning.</li>
 * </ul>
 */
public final class KeyFile {
    /** The first line of a version-1 key file. */
    public static final String HEADER = "hypha-node-key-v1";

    private static final String HEADER_FAMILY = "hypha-node-key-v";
    private static final int MAX_SIZE = 4096;
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final Logger LOG = LoggerFactory.getLogger(KeyFile.class);

    private final Path file;

    /** @param file where the key is kept */
    public KeyFile(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
    }

    /** @return the key file's path (absolute) */
    public Path path() {
        return file;
    }

    /**
     * Loads the key, or makes and saves a new one if no file exists.
     *
     * @param random the source of a new seed
     * @return the node key
     * @throws KeyFileException if an existing file cannot be used or a new one cannot be written
     */
    public Ed25519NodeKey loadOrCreate(SecureRandom random) throws KeyFileException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return load();
        }
        return create(random);
    }

    /**
     * Loads an existing key file.
     *
     * @return the node key
     * @throws KeyFileException if the file is missing or cannot be used; the file is not touched
     */
    public Ed25519NodeKey load() throws KeyFileException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(Reason.UNREADABLE, file, "does not exist (or is a dangling link)", e);
        } catch (IOException e) {
            throw new KeyFileException(Reason.UNREADABLE, file, "cannot be examined (" + e + ")", e);
        }
        if (!attributes.isRegularFile()) {
            throw new KeyFileException(Reason.NOT_A_FILE, file,
                    "is not a regular file but " + (attributes.isDirectory() ? "a directory" : "a special file"), null);
        }
        checkPermissions();
        if (attributes.size() > MAX_SIZE) {
            throw new KeyFileException(Reason.CORRUPT, file,
                    "is " + attributes.size() + " bytes long, far more than a key file's 116", null);
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyFileException(Reason.UNREADABLE, file, "cannot be read (" + e + ")", e);
        }
        try {
            return parse(content);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private void checkPermissions() throws KeyFileException {
        if (!supportsPosix()) {
            LOG.warn("Node key file {}: the file system has no POSIX permissions; cannot check that the key is private", file);
            return;
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new KeyFileException(Reason.UNREADABLE, file, "has permissions that cannot be read (" + e + ")", e);
        }
        if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new KeyFileException(Reason.WRONG_PERMISSIONS, file,
                    "is accessible by group or others (mode " + PosixFilePermissions.toString(mode) + ", must be rw-------)", null);
        }
        if (!mode.contains(PosixFilePermission.OWNER_READ)) {
            throw new KeyFileException(Reason.UNREADABLE, file,
                    "is not readable by its owner (mode " + PosixFilePermissions.toString(mode) + ", must be rw-------)", null);
        }
    }

    /** Parses the file content; works on bytes so that the seed never becomes an (unwipeable) String. */
    private Ed25519NodeKey parse(byte[] content) throws KeyFileException {
        if (content.length == 0) {
            throw corrupt("is empty (0 bytes)");
        }
        byte[][] lines = splitLines(content);
        String header = ascii(lines[0]);
        if (!header.equals(HEADER)) {
            if (header.startsWith(HEADER_FAMILY)) {
                throw new KeyFileException(Reason.UNSUPPORTED_VERSION, file,
                        "has format '" + printable(header) + "', but this node reads only '" + HEADER + "'", null);
            }
            throw corrupt("does not start with the line '" + HEADER + "'");
        }
        if (lines.length != 3) {
            throw corrupt(lines.length < 3
                    ? "is truncated: it has " + lines.length + " of its 3 lines"
                    : "has " + lines.length + " lines instead of 3");
        }
        byte[] seed;
        try {
            seed = Base64.getDecoder().decode(lines[1]);
        } catch (IllegalArgumentException e) {
            throw corrupt("has a line 2 that is not base64");
        } finally {
            Arrays.fill(lines[1], (byte) 0);
        }
        try {
            if (seed.length != Ed25519NodeKey.SEED_LENGTH) {
                throw corrupt("holds a " + seed.length + "-byte seed on line 2 instead of " + Ed25519NodeKey.SEED_LENGTH);
            }
            NodeId written;
            try {
                written = NodeId.parse(ascii(lines[2]));
            } catch (IllegalArgumentException e) {
                throw corrupt("has a line 3 that is not a node id (" + e.getMessage() + ")");
            }
            Ed25519NodeKey key = Ed25519NodeKey.fromSeed(seed);
            if (!key.id().equals(written)) {
                throw corrupt("holds a seed whose node id is " + key.id() + " but names node " + written
                        + " on line 3 (the file was damaged or edited)");
            }
            return key;
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Splits at {@code \n}, dropping one {@code \r} before each and one final line end. */
    private static byte[][] splitLines(byte[] content) {
        int end = content.length;
        if (content[end - 1] == '\n') {
            end--;
        }
        int count = 1;
        for (int i = 0; i < end; i++) {
            if (content[i] == '\n') {
                count++;
            }
        }
        byte[][] lines = new byte[count][];
        int start = 0;
        int n = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || content[i] == '\n') {
                int stop = i > start && content[i - 1] == '\r' ? i - 1 : i;
                lines[n++] = Arrays.copyOfRange(content, start, stop);
                start = i + 1;
            }
        }
        return lines;
    }

    private static String ascii(byte[] line) {
        return new String(line, StandardCharsets.US_ASCII);
    }

    /** Keeps garbage from a broken file out of log lines: at most 40 printable characters. */
    private static String printable(String s) {
        String clean = s.codePoints().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }

    private KeyFileException corrupt(String problem) {
        return new KeyFileException(Reason.CORRUPT, file, problem, null);
    }

    /**
     * Makes a new key and writes it atomically. Never replaces a file: if one appears meanwhile (another process
     * raced us), that one is loaded instead.
     */
    private Ed25519NodeKey create(SecureRandom random) throws KeyFileException {
        boolean posix = supportsPosix();
        Path dir = file.getParent();
        ensureDirectory(dir, posix);

        Ed25519NodeKey key = Ed25519NodeKey.generate(random);
        byte[] content = encode(key);
        Path tmp = null;
        try {
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp", attrs);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (!publish(tmp)) {
                LOG.info("Node key file {} appeared while this node was making one; using it", file);
                return load();
            }
        } catch (IOException e) {
            throw new KeyFileException(Reason.CANNOT_CREATE, file, "cannot be created (" + e + ")", e);
        } finally {
            Arrays.fill(content, (byte) 0);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("Could not delete the temporary key file {}: {}; delete it by hand", tmp, e.toString());
                }
            }
        }
        syncDirectory(dir);
        if (!posix) {
            LOG.warn("Node key file {}: the file system has no POSIX permissions; protect the file by other means", file);
        }
        LOG.info("Generated a new node key for node {} in {}", key.id(), file);
        return key;
    }

    /**
     * Puts the complete temporary file at the key path without ever replacing an existing file.
     *
     * @return false if a file was already there
     */
    private boolean publish(Path tmp) throws IOException {
        try {
            // A hard link is atomic and fails if the target exists: the only portable "rename unless present".
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException noHardLinks) {
            // File systems without hard links: an atomic rename. Between the check and the rename another process
            // could create the file; one node owns its data directory (the launcher's pid file), so accept that.
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }

    private void ensureDirectory(Path dir, boolean posix) throws KeyFileException {
        try {
            if (Files.isDirectory(dir)) {
                if (posix) {
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
                    if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                        LOG.warn("Node key directory {} is accessible by group or others (mode {}); consider chmod 700",
                                dir, PosixFilePermissions.toString(mode));
                    }
                }
                return;
            }
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // Only the key's own directory is made private; the data directory above it is the launcher's business.
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            } else {
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            throw new KeyFileException(Reason.CANNOT_CREATE, file,
                    "cannot be created because its directory " + dir + " cannot be made (" + e + ")", e);
        }
    }

    private static byte[] encode(Ed25519NodeKey key) {
        byte[] seed = key.seed();
        byte[] seedText = Base64.getEncoder().encode(seed);
        Arrays.fill(seed, (byte) 0);
        byte[] header = (HEADER + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] id = (key.id() + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + seedText.length + 1 + id.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(seedText, 0, out, header.length, seedText.length);
        out[header.length + seedText.length] = '\n';
        System.arraycopy(id, 0, out, header.length + seedText.length + 1, id.length);
        Arrays.fill(seedText, (byte) 0);
        return out;
    }

    /** Makes the new directory entry durable (Linux allows fsync on a directory; elsewhere it is skipped). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Best effort: not every platform can open a directory as a channel.
        }
    }

    private boolean supportsPosix() {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
