package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeyDirectoryTest {

    @TempDir
    Path dir;

    @BeforeEach
    void noKeysInTheEnvironment() {
        assumeTrue(System.getenv().getOrDefault("CAREBUS_AUDIT_KEYS", "").isBlank(), "CAREBUS_AUDIT_KEYS is set");
    }

    @Test
    void theKeyIsReadFromTheConfiguredKeyDirectory() throws Exception {
        Path keyDir = dir.resolve("keys");
        Path data = dir.resolve("data/carebus");
        Files.createDirectories(keyDir);
        byte[] key = new byte[32];
        key[0] = 7;
        Files.writeString(keyDir.resolve("audit-keys"), "k9=" + Base64.getEncoder().encodeToString(key) + "\n");

        ChainKeys keys = AuditComponent.keys("", "", AuditComponent.keyDirectory(keyDir.toString(), data));

        assertThat(keys.currentId()).isEqualTo("k9");
        assertThat(keys.sign("k9", "head")).isEqualTo(new ChainKeys("k9", Map.of("k9", key)).sign("k9", "head"));
        assertThat(data).as("nothing generated under data/").doesNotExist();
    }

    @Test
    void blankKeyDirectoryIsDataCarebusAsBefore() throws Exception {
        Path data = dir.resolve("data/carebus");
        assertThat(AuditComponent.keyDirectory("", data)).isEqualTo(data);
        assertThat(AuditComponent.keyDirectory("  ", data)).isEqualTo(data);
    }

    @Test
    void aGeneratedKeyIsOwnerOnlyAndKeptAcrossStarts() throws Exception {
        Path keyDir = dir.resolve("keys");
        ChainKeys first = AuditComponent.keys("", "", keyDir);
        String content = Files.readString(keyDir.resolve("audit-keys"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyDir.resolve("audit-keys"))))
                .isEqualTo("rw-------");

        ChainKeys second = AuditComponent.keys("", "", keyDir);

        assertThat(Files.readString(keyDir.resolve("audit-keys"))).isEqualTo(content);
        assertThat(second.sign("k1", "head")).isEqualTo(first.sign("k1", "head"));
    }

    @Test
    void anEmptyKeyFileIsRefusedNotReplaced() throws Exception {
        Files.createFile(dir.resolve("audit-keys"));
        assertThatThrownBy(() -> AuditComponent.keys("", "", dir)).hasMessageContaining("is empty");
        assertThat(dir.resolve("audit-keys")).isEmptyFile();
    }
}
