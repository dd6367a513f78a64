package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Pbkdf2EncryptionTest {

    private final Pbkdf2Encryption encryption = new Pbkdf2Encryption(10_000, "SHA-512");

    @Test
    void hashesAreSaltedAndVerify() {
        String a = encryption.encryptPassword("correct horse");
        String b = encryption.encryptPassword("correct horse");
        assertThat(a).startsWith("pbkdf2-sha512$10000$").isNotEqualTo(b).doesNotContain(",", "=", "correct");
        assertThat(encryption.checkPassword("correct horse", a)).isTrue();
        assertThat(encryption.checkPassword("correct horse", b)).isTrue();
        assertThat(encryption.checkPassword("correct hors", a)).isFalse();
    }

    @Test
    void theStoredIterationCountIsUsedSoRaisingTheDefaultKeepsOldHashesValid() {
        String old = encryption.encryptPassword("pw");
        assertThat(new Pbkdf2Encryption(20_000, "SHA-512").checkPassword("pw", old)).isTrue();
    }

    @Test
    void theUnsaltedSha512DigestsKarafWroteBeforeStillLogIn() throws Exception {
        String legacy = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest("karaf".getBytes(StandardCharsets.UTF_8)));
        assertThat(encryption.isLegacy(legacy)).isTrue();
        assertThat(encryption.checkPassword("karaf", legacy)).isTrue();
        assertThat(encryption.checkPassword("karaf", legacy.toUpperCase())).isTrue();
        assertThat(encryption.checkPassword("Karaf", legacy)).isFalse();
        assertThat(encryption.isLegacy(encryption.encryptPassword("karaf"))).isFalse();
    }

    @Test
    void malformedOrHostileStoredHashesAreRejectedNotTrusted() {
        assertThat(encryption.checkPassword("pw", "pbkdf2-sha512$x$y")).isFalse();
        assertThat(encryption.checkPassword("pw", "pbkdf2-sha512$999999999$AAAA$AAAA")).as("iterations cap").isFalse();
        assertThat(encryption.checkPassword("pw", "pbkdf2-sha512$10000$!!$AAAA")).isFalse();
        assertThat(encryption.checkPassword("pw", "pw")).as("clear text is not a digest").isFalse();
        assertThatThrownBy(() -> new Pbkdf2Encryption(1000, "SHA-512")).isInstanceOf(IllegalArgumentException.class);
    }
}
