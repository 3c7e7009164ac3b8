package io.hypha.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hypha.identity.internal.KeyFileException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @TempDir
    Path data;

    private final SecureRandom random = new SecureRandom();

    private Path keyPath() {
        return data.resolve("identity").resolve("node.key");
    }

    @Test
    void makesAKeyOnFirstStartAndLoadsTheSameOneNextTime() throws Exception {
        Ed25519NodeKey first = new KeyFile(keyPath()).loadOrCreate(random);
        Ed25519NodeKey second = new KeyFile(keyPath()).loadOrCreate(random);

        assertThat(second.id()).isEqualTo(first.id());
        byte[] signature = second.sign("ctx", new byte[] {1, 2, 3});
        assertThat(new Crypto().verify(first.id(), "ctx", new byte[] {1, 2, 3}, signature)).isTrue();
    }

    @Test
    void writesTheKeyPrivateToItsOwnerInAPrivateDirectory() throws Exception {
        new KeyFile(keyPath()).loadOrCreate(random);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyPath()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyPath().getParent()))).isEqualTo("rwx------");
    }

    @Test
    void writesTheDocumentedThreeLineFormatAndLeavesNoTemporaryFile() throws Exception {
        Ed25519NodeKey key = new KeyFile(keyPath()).loadOrCreate(random);

        List<String> lines = Files.readAllLines(keyPath(), StandardCharsets.US_ASCII);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("hypha-node-key-v1");
        assertThat(Base64.getDecoder().decode(lines.get(1))).hasSize(32);
        assertThat(lines.get(2)).isEqualTo(key.id().toString());
        assertThat(Files.size(keyPath())).isEqualTo(116);
        try (Stream<Path> files = Files.list(keyPath().getParent())) {
            assertThat(files).containsExactly(keyPath());
        }
    }

    @Test
    void keepsAnExistingDirectoryAsItIs() throws Exception {
        Files.createDirectories(keyPath().getParent());
        Files.setPosixFilePermissions(keyPath().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));

        new KeyFile(keyPath()).loadOrCreate(random);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyPath().getParent()))).isEqualTo("rwxr-xr-x");
        assertThat(keyPath()).isRegularFile();
    }

    @Test
    void acceptsAHandCopiedFileWithCarriageReturnsAndNoFinalNewline() throws Exception {
        Ed25519NodeKey key = new KeyFile(keyPath()).loadOrCreate(random);
        String text = Files.readString(keyPath()).strip().replace("\n", "\r\n");
        writePrivate(text.getBytes(StandardCharsets.US_ASCII));

        assertThat(new KeyFile(keyPath()).load().id()).isEqualTo(key.id());
    }

    @Test
    void refusesGarbage() throws Exception {
        byte[] garbage = new byte[200];
        random.nextBytes(garbage);
        assertRefused(garbage, Reason.CORRUPT, "does not start with the line 'hypha-node-key-v1'");
    }

    @Test
    void refusesAnEmptyFile() throws Exception {
        assertRefused(new byte[0], Reason.CORRUPT, "is empty");
    }

    @Test
    void refusesATruncatedFile() throws Exception {
        byte[] whole = validFile();
        assertRefused(java.util.Arrays.copyOf(whole, 30), Reason.CORRUPT, "is truncated");
    }

    @Test
    void refusesAFileCutInItsLastLine() throws Exception {
        byte[] whole = validFile();
        assertRefused(java.util.Arrays.copyOf(whole, whole.length - 10), Reason.CORRUPT, "line 3 that is not a node id");
    }

    @Test
    void refusesASeedThatDoesNotMatchTheWrittenNodeId() throws Exception {
        byte[] whole = validFile();
        String[] lines = new String(whole, StandardCharsets.US_ASCII).split("\n");
        byte[] seed = Base64.getDecoder().decode(lines[1]);
        seed[0] ^= 1;
        String damaged = lines[0] + "\n" + Base64.getEncoder().encodeToString(seed) + "\n" + lines[2] + "\n";

        assertRefused(damaged.getBytes(StandardCharsets.US_ASCII), Reason.CORRUPT, "the file was damaged or edited");
    }

    @Test
    void refusesASeedThatIsNotBase64OrNot32Bytes() throws Exception {
        String[] lines = new String(validFile(), StandardCharsets.US_ASCII).split("\n");

        assertRefused((lines[0] + "\n!!!not base64!!!\n" + lines[2] + "\n").getBytes(StandardCharsets.US_ASCII),
                Reason.CORRUPT, "line 2 that is not base64");
        assertRefused((lines[0] + "\n" + Base64.getEncoder().encodeToString(new byte[31]) + "\n" + lines[2] + "\n")
                .getBytes(StandardCharsets.US_ASCII), Reason.CORRUPT, "31-byte seed");
    }

    @Test
    void refusesExtraLines() throws Exception {
        byte[] whole = validFile();
        byte[] longer = (new String(whole, StandardCharsets.US_ASCII) + "more\n").getBytes(StandardCharsets.US_ASCII);
        assertRefused(longer, Reason.CORRUPT, "has 4 lines instead of 3");
    }

    @Test
    void refusesAHugeFileWithoutReadingIt() throws Exception {
        assertRefused(new byte[100_000], Reason.CORRUPT, "100000 bytes long");
    }

    @Test
    void refusesANewerFormatVersionAsUnsupported() throws Exception {
        assertRefused("hypha-node-key-v2\nwhatever\n".getBytes(StandardCharsets.US_ASCII),
                Reason.UNSUPPORTED_VERSION, "has format 'hypha-node-key-v2'");
    }

    @Test
    void refusesAKeyFileThatOthersCanRead() throws Exception {
        byte[] whole = validFile();
        writePrivate(whole);
        Files.setPosixFilePermissions(keyPath(), PosixFilePermissions.fromString("rw-r--r--"));

        KeyFileException e = refusal();

        assertThat(e.reason()).isEqualTo(Reason.WRONG_PERMISSIONS);
        assertThat(e.getMessage()).contains(keyPath().toString(), "rw-r--r--", "chmod 600");
        assertThat(Files.readAllBytes(keyPath())).isEqualTo(whole);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyPath()))).isEqualTo("rw-r--r--");
    }

    @Test
    void refusesAKeyFileItsOwnerMayNotRead() throws Exception {
        byte[] whole = validFile();
        writePrivate(whole);
        Files.setPosixFilePermissions(keyPath(), PosixFilePermissions.fromString("-w-------"));

        KeyFileException e = refusal();

        assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
        assertThat(e.getMessage()).contains(keyPath().toString(), "not readable");
        Files.setPosixFilePermissions(keyPath(), PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readAllBytes(keyPath())).isEqualTo(whole);
    }

    @Test
    void acceptsAReadOnlyKeyFile() throws Exception {
        Ed25519NodeKey key = new KeyFile(keyPath()).loadOrCreate(random);
        Files.setPosixFilePermissions(keyPath(), PosixFilePermissions.fromString("r--------"));

        assertThat(new KeyFile(keyPath()).loadOrCreate(random).id()).isEqualTo(key.id());
    }

    @Test
    void refusesADirectoryInPlaceOfTheKeyFile() throws Exception {
        Files.createDirectories(keyPath());
        Files.writeString(keyPath().resolve("inside"), "keep me");

        KeyFileException e = refusal();

        assertThat(e.reason()).isEqualTo(Reason.NOT_A_FILE);
        assertThat(e.getMessage()).contains(keyPath().toString(), "a directory", "left unchanged");
        assertThat(keyPath()).isDirectory();
        assertThat(keyPath().resolve("inside")).hasContent("keep me");
    }

    @Test
    void reportsWhyANewKeyCannotBeWritten() throws Exception {
        Files.writeString(data.resolve("identity"), "a file where the directory should be");

        KeyFileException e = catchThrowableOfType(() -> new KeyFile(keyPath()).loadOrCreate(random), KeyFileException.class);

        assertThat(e.reason()).isEqualTo(Reason.CANNOT_CREATE);
        assertThat(e.file()).isEqualTo(keyPath());
        assertThat(e.getMessage()).contains(keyPath().toString(), "writable");
        assertThat(data.resolve("identity")).hasContent("a file where the directory should be");
    }

    /** A valid key file's bytes, made by the real writer, then moved out of the way. */
    private byte[] validFile() throws IOException, KeyFileException {
        new KeyFile(keyPath()).loadOrCreate(random);
        byte[] bytes = Files.readAllBytes(keyPath());
        Files.delete(keyPath());
        return bytes;
    }

    private void writePrivate(byte[] content) throws IOException {
        Files.createDirectories(keyPath().getParent());
        Files.deleteIfExists(keyPath());
        Files.createFile(keyPath(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(keyPath(), content);
    }

    private KeyFileException refusal() {
        KeyFileException e = catchThrowableOfType(() -> new KeyFile(keyPath()).loadOrCreate(random), KeyFileException.class);
        assertThat(e).as("expected the key file to be refused").isNotNull();
        assertThat(e.file()).isEqualTo(keyPath());
        return e;
    }

    private void assertRefused(byte[] content, Reason reason, String problem) throws IOException {
        writePrivate(content);
        FileTime modified = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(keyPath(), modified);

        KeyFileException e = refusal();

        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(keyPath().toString(), problem, "left unchanged");
        assertThat(Files.readAllBytes(keyPath())).as("key file content").isEqualTo(content);
        assertThat(Files.getLastModifiedTime(keyPath())).isEqualTo(modified);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyPath()))).isEqualTo("rw-------");
    }
}
