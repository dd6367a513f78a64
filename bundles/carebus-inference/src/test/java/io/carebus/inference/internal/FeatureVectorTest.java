package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureVectorTest {

    /** The input hash is the SHA-256 of "name=<raw float bits as a decimal int>\n" per feature, as documented. */
    @Test
    void theInputHashIsTheDigestOfTheDocumentedText() throws Exception {
        CardDocument card = new CardReader().read(TestCards.card("1.0.0", "ab".repeat(32), 0.5).getBytes(StandardCharsets.UTF_8));
        List<CardDocument.TabularFeature> features = card.inputs().tabular();
        float[][] rows = {
            {97f, 3.0f, 1.2f},
            {-0.0f, Float.NaN, -1e-30f},
            {Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -123456.78f},
            {0f, 1f, -1f},
        };
        for (float[] row : rows) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                text.append(features.get(i).name()).append('=').append(Float.floatToRawIntBits(row[i])).append('\n');
            }
            assertThat(FeatureVector.hash(card, row)).isEqualTo(Sha256.hash(text.toString().getBytes(StandardCharsets.US_ASCII)));
        }
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 2000; n++) {
            float[] row = {Float.intBitsToFloat(random.nextInt()), Float.intBitsToFloat(random.nextInt() >> random.nextInt(31)),
                Float.intBitsToFloat(n % 2 == 0 ? Integer.MIN_VALUE + n : Integer.MAX_VALUE - n)};
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                text.append(features.get(i).name()).append('=').append(Float.floatToRawIntBits(row[i])).append('\n');
            }
            assertThat(FeatureVector.hash(card, row)).isEqualTo(Sha256.hash(text.toString().getBytes(StandardCharsets.US_ASCII)));
        }
        assertThat(FeatureVector.hash(card, rows[0])).isNotEqualTo(FeatureVector.hash(card, new float[] {97f, 3.0f, 1.3f}));
    }
}
