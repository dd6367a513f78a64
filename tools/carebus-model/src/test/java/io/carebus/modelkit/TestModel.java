package io.carebus.modelkit;

import io.carebus.models.tools.ModelBundles;
import io.carebus.models.tools.OnnxGraphs;
import io.carebus.models.tools.RiskDemoCard;
import java.security.MessageDigest;
import java.util.HexFormat;

/** carebus-inference's test model ({@link RiskDemoCard}: a hand-set logistic regression) as bundles for the kit's tests. */
final class TestModel {

    static final byte[] ONNX = OnnxGraphs.logisticRegression(RiskDemoCard.WEIGHTS, RiskDemoCard.BIAS);

    private TestModel() {
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String card(String version, String sha256) {
        return RiskDemoCard.card(version, sha256, RiskDemoCard.selfTestExpected());
    }

    static String goodCard() {
        return card("1.0.0", sha(ONNX));
    }

    /** A jar of the card and graph, signed by "vendor" (trusted by {@link ModelBundles#trustStore()}) or "stranger". */
    static java.nio.file.Path signed(ModelBundles bundles, String name, String card, String signer) throws Exception {
        return bundles.signed(bundles.unsigned(name, ModelBundles.files("model-card.yaml", card, "model.onnx", ONNX), "model-card.yaml"),
                signer);
    }
}
