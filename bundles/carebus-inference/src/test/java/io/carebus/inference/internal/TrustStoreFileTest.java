package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.models.tools.ModelBundles;
import io.carebus.models.tools.OnnxGraphs;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * carebus:trust-vendor's store update (issue 28): a vendor's certificate added to the trust store makes the
 * inspector accept bundles that vendor signed, which it refused before; an alias or certificate is added once.
 */
class TrustStoreFileTest {

    @TempDir
    Path dir;

    @Test
    void aBundleOfAnAddedVendorIsAcceptedWhereItWasRefused() throws Exception {
        ModelBundles bundles = new ModelBundles(dir);
        byte[] onnx = OnnxGraphs.logisticRegression(TestCards.WEIGHTS, TestCards.BIAS);
        Path jar = bundles.signed(bundles.unsigned("stranger-model", ModelBundles.files("model-card.yaml",
                TestCards.card("1.0.0", ModelBundleInspector.sha256(onnx), TestCards.selfTestExpected()), "model.onnx", onnx),
                "model-card.yaml"), "stranger");
        Path store = dir.resolve("etc/carebus-model-trust.p12");
        Files.createDirectories(store.getParent());
        Files.copy(bundles.trustStore(), store);
        char[] password = ModelBundles.PASSWORD.toCharArray();
        assertThatThrownBy(() -> new ModelBundleInspector(VendorTrust.load(store, ModelBundles.PASSWORD), false).inspect(jar))
                .hasMessageStartingWith("untrusted signer CN=Stranger");

        X509Certificate stranger = certificate(bundles, "stranger");
        String added = TrustStoreFile.add(store, password, "stranger-co", stranger);
        assertThat(added).startsWith("CN=Stranger (sha256 ");

        assertThat(new ModelBundleInspector(VendorTrust.load(store, ModelBundles.PASSWORD), false).inspect(jar).signer()).isEqualTo("CN=Stranger");
        assertThat(TrustStoreFile.list(store, password)).hasSize(2).anyMatch(v -> v.startsWith("stranger-co: CN=Stranger"));
        assertThat(Files.list(store.getParent())).containsExactly(store);
        assertThatThrownBy(() -> TrustStoreFile.add(store, password, "stranger-co", certificate(bundles, "vendor")))
                .hasMessageContaining("already has an entry stranger-co");
        assertThatThrownBy(() -> TrustStoreFile.add(store, password, "again", stranger)).hasMessageContaining("already trusts this certificate");
        assertThatThrownBy(() -> TrustStoreFile.add(store, password, "../evil", stranger)).hasMessageContaining("alias must be");
    }

    private X509Certificate certificate(ModelBundles bundles, String alias) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
            ks.load(in, ModelBundles.PASSWORD.toCharArray());
        }
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new java.io.ByteArrayInputStream(ks.getCertificate(alias).getEncoded()));
    }
}
