package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeidKeyDirectoryTest {

    @TempDir
    Path dir;

    @BeforeEach
    void noKeysInTheEnvironment() {
        String env = System.getenv("CAREBUS_DEID_KEYS");
        assumeTrue(env == null || env.isBlank(), "CAREBUS_DEID_KEYS is set");
    }

    @Test
    void theSecretIsReadFromTheConfiguredKeyDirectory() throws Exception {
        Path keyDir = dir.resolve("keys");
        Files.createDirectories(keyDir);
        byte[] secret = new byte[32];
        secret[31] = 42;
        Files.writeString(keyDir.resolve("deid-keys"), "k7=" + Base64.getEncoder().encodeToString(secret) + "\n");

        Map<String, byte[]> secrets = DeidService.secrets("", DeidService.keyDirectory(keyDir.toString()));

        assertThat(secrets).containsOnlyKeys("k7");
        assertThat(secrets.get("k7")).isEqualTo(secret);
    }

    @Test
    void blankKeyDirectoryIsDataCarebusAsBefore() {
        String before = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());
        try {
            assertThat(DeidService.keyDirectory("")).isEqualTo(dir.resolve("carebus"));
        } finally {
            if (before == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", before);
            }
        }
    }

    @Test
    void aGeneratedSecretIsOwnerOnlyAndKeptAcrossStarts() throws Exception {
        Path keyDir = dir.resolve("keys");
        Map<String, byte[]> first = DeidService.secrets("", keyDir);
        Path file = keyDir.resolve("deid-keys");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(keyDir)) {
            assertThat(files).containsExactly(file);
        }

        Map<String, byte[]> second = DeidService.secrets("", keyDir);

        assertThat(second.get("k1")).hasSize(32).isEqualTo(first.get("k1"));
    }
}
