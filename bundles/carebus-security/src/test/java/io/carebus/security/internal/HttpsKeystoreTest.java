package io.carebus.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpsKeystoreTest {

    @TempDir
    Path data;

    @Test
    void aSelfSignedCertificateIsGeneratedOnceOwnerOnlyAndKeptAcrossStarts() throws Exception {
        HttpsKeystore.Loaded first = HttpsKeystore.load("", "PKCS12", "", data, List.of("carebus.example.org"));
        assertThat(first.generated()).isTrue();
        assertThat(first.certificate().getSubjectX500Principal().getName()).contains("CN=carebus.example.org");
        assertThat(first.certificate().getSubjectAlternativeNames()).extracting(n -> n.get(1).toString())
                .contains("carebus.example.org", "localhost", "127.0.0.1");
        assertThat(first.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.path()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.path().resolveSibling("https.p12.password"))))
                .isEqualTo("rw-------");

        HttpsKeystore.Loaded again = HttpsKeystore.load("", "PKCS12", "", data, List.of("other.example.org"));
        assertThat(again.fingerprint()).as("not regenerated at the next start").isEqualTo(first.fingerprint());
    }

    @Test
    void aConfiguredKeystoreIsServedAsItIs() throws Exception {
        Path generated = data.resolve("hospital.p12");
        HttpsKeystore.generate(generated, data.resolve("hospital.pw"), List.of("pacs-gw.hospital.example"));
        String password = Files.readString(data.resolve("hospital.pw")).strip();
        HttpsKeystore.Loaded loaded = HttpsKeystore.load(generated.toString(), "PKCS12", password, data.resolve("other"), List.of());
        assertThat(loaded.generated()).isFalse();
        assertThat(loaded.certificate().getSubjectX500Principal().getName()).contains("pacs-gw.hospital.example");
        assertThat(data.resolve("other/carebus/tls/https.p12")).doesNotExist();
    }
}
