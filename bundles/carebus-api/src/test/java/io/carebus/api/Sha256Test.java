package io.carebus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void digestBytesBecomeLowerCaseHex() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(Sha256.of(digest).hex()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void everyByteValueIsWrittenAsHexFormatWritesIt() {
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 1000; n++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            assertThat(Sha256.of(digest).hex()).isEqualTo(java.util.HexFormat.of().formatHex(digest));
        }
        byte[] extremes = new byte[32];
        for (int i = 0; i < 32; i++) {
            extremes[i] = (byte) (i % 2 == 0 ? 0x00 : 0xFF);
        }
        assertThat(Sha256.of(extremes).hex()).isEqualTo("00ff".repeat(16));
    }

    @Test
    void rejectsWhatIsNotADigest() {
        assertThatThrownBy(() -> new Sha256("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sha256("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.of(new byte[16])).hasMessageContaining("32 bytes");
    }
}
