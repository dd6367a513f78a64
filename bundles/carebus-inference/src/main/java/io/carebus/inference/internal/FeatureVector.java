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

    /** SHA-256 of the lines {@code name=<float bits as a decimal int>}, one per feature in card order. */
    static Sha256 hash(CardDocument card, float[] row) {
        List<CardDocument.TabularFeature> features = card.inputs().tabular();
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // Straight into the digest, without building a String per request: the same bytes as the text.
        byte[] number = new byte[12];
        for (int i = 0; i < row.length; i++) {
            digest.update((features == null ? "x" + i : features.get(i).name()).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) '=');
            int length = decimal(Float.floatToRawIntBits(row[i]), number);
            digest.update(number, number.length - length, length);
            digest.update((byte) '\n');
        }
        return Sha256.of(digest.digest());
    }

    /** Writes {@code value} in decimal at the end of {@code into}; returns how many bytes it took. */
    private static int decimal(int value, byte[] into) {
        long v = value;
        boolean negative = v < 0;
        if (negative) {
            v = -v;
        }
        int at = into.length;
        do {
            into[--at] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        if (negative) {
            into[--at] = '-';
        }
        return into.length - at;
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
