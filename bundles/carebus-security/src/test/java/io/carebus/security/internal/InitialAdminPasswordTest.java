package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitialAdminPasswordTest {

    @TempDir
    Path dir;

    @Test
    void passwordFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("carebus/initial-admin-password");
        InitialAdminPassword.writeOwnerOnly(file, "secret\n");
        assertThat(Files.readString(file)).isEqualTo("secret\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left behind").hasSize(1);
        }
    }

    @Test
    void passwordsAreLongAndDifferent() {
        SecureRandom random = new SecureRandom();
        String a = InitialAdminPassword.randomPassword(random, 24);
        String b = InitialAdminPassword.randomPassword(random, 24);
        assertThat(a).hasSize(24).matches("[A-Za-z2-9]+").isNotEqualTo(b);
    }
}
