package io.carebus.inference.internal;

import io.carebus.api.Sha256;
import io.carebus.inference.InsufficientDataException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tabular model's input row in the card's feature order: the given value, else the card's default; a feature with
 * neither makes the whole request "insufficient data" rather than a guess. The input hash covers names and values
 * as used, so an audit can tell which defaults went in.
 */
final class FeatureVector {

    private FeatureVector() {
    }

    static float[] build(CardDocument card, Map<String, Double> values) throws InsufficientDataException {
        List<CardDocument.TabularFeature> features = card.inputs().tabular();
        float[] row = new float[features.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
            CardDocument.TabularFeature f = features.get(i);
            Double v = values.get(f.name());
            if (v == null || v.isNaN()) {
                v = f.defaultValue();
            }
            if (v == null) {
                missing.add(f.name());
            } else {
                row[i] = v.floatValue();
            }
        }
        if (!missing.isEmpty()) {
            throw new InsufficientDataException(card.id() + "@" + card.version(), missing);
        }
        return row;
    }

    static Sha256 hash(CardDocument card, float[] row) {
        StringBuilder text = new StringBuilder();
        List<CardDocument.TabularFeature> features = card.inputs().tabular();
        for (int i = 0; i < row.length; i++) {
            text.append(features == null ? "x" + i : features.get(i).name()).append('=').append(Float.floatToRawIntBits(row[i])).append('\n');
        }
        try {
            return Sha256.of(MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Sha256 hashPixels(float[] pixels) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(pixels.length * 4);
            bytes.asFloatBuffer().put(pixels);
            return Sha256.of(digest.digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
