package io.carebus.hl7.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** HL7 table 0211 (MSH-18 character sets) to Java charsets. */
final class Hl7Charsets {

    private static final Map<String, String> TABLE_0211 = Map.ofEntries(
            Map.entry("ASCII", "US-ASCII"),
            Map.entry("8859/1", "ISO-8859-1"), Map.entry("8859/2", "ISO-8859-2"), Map.entry("8859/3", "ISO-8859-3"),
            Map.entry("8859/4", "ISO-8859-4"), Map.entry("8859/5", "ISO-8859-5"), Map.entry("8859/6", "ISO-8859-6"),
            Map.entry("8859/7", "ISO-8859-7"), Map.entry("8859/8", "ISO-8859-8"), Map.entry("8859/9", "ISO-8859-9"),
            Map.entry("8859/15", "ISO-8859-15"),
            Map.entry("UNICODE UTF-8", "UTF-8"), Map.entry("UTF-8", "UTF-8"),
            Map.entry("ISO IR87", "ISO-2022-JP"), Map.entry("ISO IR159", "ISO-2022-JP"),
            Map.entry("GB 18030-2000", "GB18030"), Map.entry("KS X 1001", "EUC-KR"), Map.entry("CNS 11643-1992", "x-EUC-TW"),
            Map.entry("BIG-5", "Big5"));

    private Hl7Charsets() {
    }

    /** The charset MSH-18 names (first repetition), the default when it is empty, empty when it is unknown. */
    static Optional<Charset> forMsh18(String msh18, char repetitionSeparator, Charset defaultCharset) {
        String first = msh18;
        int rep = msh18.indexOf(repetitionSeparator);
        if (rep >= 0) {
            first = msh18.substring(0, rep);
        }
        first = first.strip().toUpperCase(Locale.ROOT);
        if (first.isEmpty()) {
            return Optional.of(defaultCharset);
        }
        String java = TABLE_0211.get(first);
        if (java == null || !Charset.isSupported(java)) {
            return Optional.empty();
        }
        return Optional.of(Charset.forName(java));
    }

    static final Charset DEFAULT = StandardCharsets.ISO_8859_1;
}
