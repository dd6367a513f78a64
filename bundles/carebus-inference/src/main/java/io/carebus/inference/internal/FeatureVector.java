package io.carebus.inference.internal;

import io.carebus.api.Sha256;
import io.carebus.inference.InsufficientDataException;
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
        return hash(hashPrefixes(card), row);
    }

    /** Each feature's {@code name=} as ASCII (another character as {@code ?}); {@code x<i>=} without a feature list. */
    static byte[][] hashPrefixes(CardDocument card) {
        List<CardDocument.TabularFeature> features = card.inputs().tabular();
        int n = features == null ? 0 : features.size();
        byte[][] prefixes = new byte[n][];
        for (int i = 0; i < n; i++) {
            prefixes[i] = (features.get(i).name() + "=").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return prefixes;
    }

    static Sha256 hash(byte[][] prefixes, float[] row) {
        int size = 0;
        for (int i = 0; i < row.length; i++) {
            size += (i < prefixes.length ? prefixes[i].length : 12) + 12;
        }
        // The text's bytes in one buffer and one digest call: this hash was half the engine's time per batched
        // request when built as a String (JFR on bench/inference).
        byte[] text = new byte[size];
        int at = 0;
        for (int i = 0; i < row.length; i++) {
            byte[] prefix = i < prefixes.length ? prefixes[i] : ("x" + i + "=").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(prefix, 0, text, at, prefix.length);
            at += prefix.length;
            at = decimal(Float.floatToRawIntBits(row[i]), text, at);
            text[at++] = '\n';
        }
        MessageDigest digest = sha256();
        digest.update(text, 0, at);
        return Sha256.of(digest.digest());
    }

    /** Writes {@code value} in decimal into {@code into} at {@code at}; returns the position after it. */
    private static int decimal(int value, byte[] into, int at) {
        // Counted on the negative side, where every int fits (Integer.MIN_VALUE has no positive twin); written
        // backwards into a scratch area at the end, two digits per division.
        int v = value;
        if (v < 0) {
            into[at++] = '-';
        } else {
            v = -v;
        }
        byte[] digits = new byte[10];
        int d = digits.length;
        while (v <= -100) {
            int q = v / 100;
            int pair = q * 100 - v;
            v = q;
            digits[--d] = (byte) ('0' + pair % 10);
            digits[--d] = (byte) ('0' + pair / 10);
        }
        if (v <= -10) {
            digits[--d] = (byte) ('0' - v % 10);
            v /= 10;
        }
        digits[--d] = (byte) ('0' - v);
        int length = digits.length - d;
        System.arraycopy(digits, d, into, at, length);
        return at + length;
    }

    /** A SHA-256 digest cloned from one looked up once: the provider lookup costs more than hashing a row. */
    private static final MessageDigest SHA256_PROTOTYPE = lookUpSha256();

    private static MessageDigest lookUpSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return lookUpSha256();
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
