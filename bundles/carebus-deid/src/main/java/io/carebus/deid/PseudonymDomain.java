package io.carebus.deid;

import io.carebus.api.deid.PatientIdentifier;
import io.carebus.api.deid.Pseudonymizer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One keyed pseudonym domain: everything is HMAC-SHA256 under the domain's secret, with a label per purpose, so the
 * same patient identifier gives the same pseudonym, date shift and replacement name in every format, and nothing can be
 * recomputed or reversed without the key. The key id is part of each pseudonym ({@code P<keyid>-...}), so after a key
 * rotation old and new pseudonyms are told apart.
 */
public final class PseudonymDomain implements Pseudonymizer {

    /** Three-digit ZIP prefixes whose area has 20,000 people or fewer (HIPAA Safe Harbor, 2000 census): zeroed. */
    static final Set<String> RESTRICTED_ZIP3 = Set.of("036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830",
            "831", "878", "879", "884", "890", "893");
    private static final List<String> FAMILY = List.of("Ash", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Ivy",
            "Juniper", "Kapok", "Larch", "Maple", "Nutmeg", "Oak", "Pine", "Quince", "Rowan", "Spruce", "Teak", "Umbra", "Vine",
            "Willow", "Yew", "Alder", "Beech", "Cypress", "Hawthorn", "Laurel", "Myrtle", "Poplar", "Sequoia");
    private static final List<String> GIVEN = List.of("Alex", "Blair", "Casey", "Dana", "Eden", "Frankie", "Gray", "Harper", "Indy",
            "Jules", "Kai", "Lee", "Morgan", "Noor", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Uma", "Val", "Wren",
            "Yael", "Ari", "Bo", "Cam", "Drew", "Ellis", "Finley", "Jody", "Kit");
    private static final char[] BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

    private final String keyId;
    private final SecretKeySpec key;
    private final int maxShiftDays;
    private final ThreadLocal<Mac> mac;

    /** @param maxShiftDays date shifts are in [-max, +max], never 0 */
    public PseudonymDomain(String keyId, byte[] secret, int maxShiftDays) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the pseudonym key must have at least 32 bytes");
        }
        if (keyId == null || !keyId.matches("[A-Za-z0-9]{1,8}")) {
            throw new IllegalArgumentException("key ids are 1 to 8 letters or digits");
        }
        if (maxShiftDays < 1) {
            throw new IllegalArgumentException("the date shift range must be at least one day");
        }
        this.keyId = keyId;
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.maxShiftDays = maxShiftDays;
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    private byte[] hmac(String purpose, String... parts) {
        Mac m = mac.get();
        m.update(purpose.getBytes(StandardCharsets.UTF_8));
        for (String part : parts) {
            m.update((byte) 0);
            m.update(part.getBytes(StandardCharsets.UTF_8));
        }
        return m.doFinal();
    }

    /** Identifier systems compare without case or surrounding space: "MRN" and "mrn " are one authority. */
    private static String norm(String s) {
        return s.strip().toLowerCase(Locale.ROOT);
    }

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public String pseudonym(PatientIdentifier patient) {
        return "P" + keyId + "-" + base32(hmac("patient", norm(patient.system()), patient.value().strip()), 16);
    }

    @Override
    public int dateShiftDays(PatientIdentifier patient) {
        int span = 2 * maxShiftDays;
        int r = (int) Long.remainderUnsigned(ByteBuffer.wrap(hmac("shift", norm(patient.system()), patient.value().strip())).getLong(), span);
        int shift = r - maxShiftDays;
        return shift >= 0 ? shift + 1 : shift;
    }

    /** A replacement name for the patient: the same in every message and format, drawn from neutral word lists. */
    @Override
    public String[] replacementName(PatientIdentifier patient) {
        byte[] h = hmac("name", norm(patient.system()), patient.value().strip());
        return new String[] {FAMILY.get((h[0] & 0xff) % FAMILY.size()) + base32(new byte[] {h[1], h[2]}, 2).toLowerCase(Locale.ROOT),
                GIVEN.get((h[3] & 0xff) % GIVEN.size())};
    }

    /**
     * A keyed stand-in for one word of a person's name found in free text, the same for the same word of the same
     * patient ({@code patientKey}: system|value, or empty): a word from the neutral lists plus two keyed letters.
     */
    public String surrogateName(String patientKey, String word) {
        byte[] h = hmac("text-name", patientKey == null ? "" : patientKey, word.strip().toLowerCase(Locale.ROOT));
        int pick = ((h[0] & 0xff) << 8 | (h[1] & 0xff)) % (GIVEN.size() + FAMILY.size());
        String base = pick < GIVEN.size() ? GIVEN.get(pick) : FAMILY.get(pick - GIVEN.size());
        return base + base32(new byte[] {h[2], h[3]}, 2).toLowerCase(Locale.ROOT);
    }

    /** Any other identifier (visit, account, order, accession number): a keyed replacement, the same for the same input. */
    @Override
    public String identifier(String system, String value) {
        return "X" + base32(hmac("identifier", norm(system == null ? "" : system), value.strip()), 12);
    }

    /** A resource or instance UID replacement under the 2.25 (UUID-derived) root: stable, so a study stays one study. */
    @Override
    public String uid(String original) {
        byte[] h = hmac("uid", original.strip());
        byte[] sixteen = java.util.Arrays.copyOf(h, 16);
        return "2.25." + new java.math.BigInteger(1, sixteen);
    }

    /** ZIP code under Safe Harbor: the first three digits, or 000 where that area is too small. */
    public static String zip3(String zip) {
        String digits = zip == null ? "" : zip.replaceAll("[^0-9]", "");
        if (digits.length() < 3) {
            return null;
        }
        String three = digits.substring(0, 3);
        return RESTRICTED_ZIP3.contains(three) ? "000" : three;
    }

    private static String base32(byte[] bytes, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < chars) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
            if (out.length() == chars) {
                break;
            }
        }
        return out.toString();
    }
}
