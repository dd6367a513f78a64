package io.carebus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    @TempDir
    Path dir;

    @Test
    void aNewSecretIsOwnerOnlyAndNoTemporaryFileStays() throws Exception {
        Path file = dir.resolve("carebus/deid-keys");
        assertThat(SecretFiles.createIfAbsent(file, "k1=abc\n")).isTrue();
        assertThat(Files.readString(file)).isEqualTo("k1=abc\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(names(file.getParent())).containsExactly("deid-keys");
    }

    @Test
    void aFailureDuringTheWriteLeavesNothingUnderTheFinalName() throws Exception {
        Path file = dir.resolve("audit-keys");
        assertThatThrownBy(() -> SecretFiles.createIfAbsent(file, out -> {
            out.write("k1=half".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(file).doesNotExist();
        assertThat(names(dir)).as("the partial temporary file is removed").isEmpty();
        // The next start generates the key afresh rather than failing on a partial one.
        assertThat(SecretFiles.readOrCreate(file, () -> "k1=whole\n")).isEqualTo("k1=whole\n");
    }

    @Test
    void aFailureDuringAReplaceKeepsTheOldContent() throws Exception {
        Path file = dir.resolve("initial-admin-password");
        SecretFiles.write(file, "old\n");
        assertThatThrownBy(() -> SecretFiles.write(file, out -> {
            out.write("ne".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("killed");
        })).hasMessage("killed");
        assertThat(Files.readString(file)).isEqualTo("old\n");
        SecretFiles.write(file, "new\n");
        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aLeftoverTemporaryFileOfACrashIsNeitherReadNorKept() throws Exception {
        Path file = dir.resolve("deid-keys");
        Path leftover = dir.resolve(".deid-keys.0123456789abcdef.tmp");
        Files.writeString(leftover, "k1=partial");
        assertThat(SecretFiles.readOrCreate(file, () -> "k1=fresh\n")).isEqualTo("k1=fresh\n");
        assertThat(leftover).doesNotExist();
        assertThat(names(dir)).containsExactly("deid-keys");
    }

    @Test
    void anExistingKeyIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("audit-keys");
        Files.writeString(file, "k1=inUse\n");
        assertThat(SecretFiles.createIfAbsent(file, "k1=other\n")).isFalse();
        assertThat(SecretFiles.readOrCreate(file, () -> "k1=other\n")).isEqualTo("k1=inUse\n");
        assertThat(Files.readString(file)).isEqualTo("k1=inUse\n");
        assertThat(names(dir)).containsExactly("audit-keys");
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
