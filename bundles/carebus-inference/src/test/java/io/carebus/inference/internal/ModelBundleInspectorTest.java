package io.carebus.inference.internal;

import io.carebus.models.tools.ModelBundles;

import io.carebus.models.tools.OnnxGraphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a model bundle can be wrong is refused with a reason that says which; a good one passes. */
class ModelBundleInspectorTest {

    @TempDir
    static Path dir;

    static ModelBundles bundles;
    static ModelBundleInspector strict;
    static byte[] onnx;
    static String sha;

    @BeforeAll
    static void keys() throws Exception {
        bundles = new ModelBundles(dir);
        strict = new ModelBundleInspector(VendorTrust.load(bundles.trustStore(), ModelBundles.PASSWORD), false);
        onnx = OnnxGraphs.logisticRegression(TestCards.WEIGHTS, TestCards.BIAS);
        sha = ModelBundleInspector.sha256(onnx);
    }

    private Path unsigned(String name, String card) throws Exception {
        return bundles.unsigned(name, ModelBundles.files("model-card.yaml", card, "model.onnx", onnx), "model-card.yaml");
    }

    private static String goodCard() {
        return TestCards.card("1.0.0", sha, TestCards.selfTestExpected());
    }

    @Test
    void aSignedBundleFromTheTrustedVendorPasses() throws Exception {
        ModelBundleInspector.ModelPackage pkg = strict.inspect(bundles.signed(unsigned("good", goodCard()), "vendor"));
        assertThat(pkg.card().id()).isEqualTo("risk-demo");
        assertThat(pkg.modelSha256().hex()).isEqualTo(sha);
        assertThat(pkg.signer()).contains("CN=Demo Vendor");
    }

    @Test
    void unsignedIsRefusedUnlessDevModeAllowsIt() throws Exception {
        Path jar = unsigned("plain", goodCard());
        assertThatThrownBy(() -> strict.inspect(jar)).isInstanceOf(ModelRefusedException.class).hasMessageStartingWith("unsigned");
        ModelBundleInspector dev = new ModelBundleInspector(VendorTrust.none(), true);
        assertThat(dev.inspect(jar).signer()).contains("unsigned");
    }

    @Test
    void aSignerTheTrustStoreDoesNotKnowIsRefused() throws Exception {
        Path jar = bundles.signed(unsigned("strange", goodCard()), "stranger");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageStartingWith("untrusted signer CN=Stranger");
    }

    @Test
    void oneChangedByteInTheOnnxFileAfterSigningIsRefusedAsTampered() throws Exception {
        Path jar = bundles.tampered(bundles.signed(unsigned("tamper", goodCard()), "vendor"), "model.onnx");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageStartingWith("tampered").hasMessageContaining("model.onnx");
    }

    @Test
    void aCardWhoseHashDoesNotMatchTheFileIsRefused() throws Exception {
        String wrong = "0".repeat(64);
        Path jar = bundles.signed(unsigned("hash", TestCards.card("1.0.0", wrong, 0.5)), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("sha256 of model.onnx is " + sha + ", the card says " + wrong);
    }

    @Test
    void anIncompleteCardIsRefusedWithEveryProblem() throws Exception {
        String card = goodCard().replaceFirst("intendedUse: .*\n", "").replace("changeControl: Weights may change; inputs and outputs may not.\n", "");
        Path jar = bundles.signed(unsigned("card", card), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageContaining("intendedUse is required")
                .hasMessageContaining("changeControl is required");
    }

    @Test
    void aMisspeltCardFieldIsRefused() throws Exception {
        Path jar = bundles.signed(unsigned("typo", goodCard().replace("intendedUse:", "intendedUsage:")), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageContaining("not a readable model card").hasMessageContaining("intendedUsage");
    }

    @Test
    void aBundleWithClassesIsRefused() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("code", ModelBundles.files("model-card.yaml", goodCard(), "model.onnx", onnx,
                "com/vendor/Evil.class", new byte[] {(byte) 0xCA, (byte) 0xFE}), "model-card.yaml"), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("a model bundle must not carry code or native libraries: com/vendor/Evil.class");
    }

    @Test
    void aHeaderNamingAMissingCardIsRefused() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("nocard", ModelBundles.files("model.onnx", onnx), "card.yaml"), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("CareBus-Model names card.yaml, which the bundle does not hold");
    }
}
