package io.carebus.deid;

import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.internal.text.Found;
import io.carebus.deid.internal.text.PhiScanner;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds the identifiers nobody entered in a structured field, in free text: telephone and fax numbers, e-mail
 * addresses, URLs, IP addresses, SSNs, record/account/licence numbers near their cue words, dates (moved by the
 * patient's date shift, in the spelling they had, so intervals survive), street addresses, ZIP codes (three digits kept,
 * as in structured addresses), ages over 89, and people's names after a title, a relative, a role or before a
 * credential, plus every other mention of a name so found or given by the structured fields, and capitalised words next
 * to one. Replacements are readable tags ("[NAME]", "[PHONE]") or keyed surrogates from the pseudonym domain.
 *
 * <p>Linear time: a hand-written tokenizer and recognizers that each look a bounded number of tokens around one (no
 * regular expression runs over the text), and at most {@link Options#maxChars()} characters are examined per field;
 * the rest of a longer field is replaced whole. Everything is in memory and thread-safe (no state between calls).
 */
public final class FreeTextDetector {

    /** What stands where an identifier was. */
    public enum Replacement {
        /** "[NAME]", "[PHONE]", ...: readable, nothing to confuse with real data. */
        TAGS,
        /** Keyed stand-ins from the pseudonym domain: the same name gets the same stand-in for the same patient. */
        SURROGATES
    }

    /** Written in place of the part of a field beyond {@link Options#maxChars()}. */
    public static final String TRUNCATED = "[REDACTED]";

    /**
     * @param enabled   false: free text is only scrubbed of the known values (the behaviour before detection)
     * @param maxChars  characters examined per field; the rest is replaced by {@value #TRUNCATED}
     */
    public record Options(boolean enabled, Replacement replacement, int maxChars) {

        public Options {
            if (maxChars < 1) {
                throw new IllegalArgumentException("freetext.max.chars must be positive");
            }
        }

        public static Options defaults() {
            return new Options(true, Replacement.TAGS, 65_536);
        }

        /**
         * These options with {@code freetext.enabled}, {@code freetext.replacement} (tags|surrogates) and
         * {@code freetext.max.chars} from a profile or configuration overriding them; other keys are ignored.
         */
        public Options with(Map<String, String> settings) {
            boolean on = enabled;
            Replacement how = replacement;
            int max = maxChars;
            for (Map.Entry<String, String> e : settings.entrySet()) {
                String value = e.getValue().strip();
                switch (e.getKey().strip().toLowerCase(Locale.ROOT)) {
                    case "freetext.enabled" -> on = Boolean.parseBoolean(value);
                    case "freetext.replacement" -> {
                        try {
                            how = Replacement.valueOf(value.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException ex) {
                            throw new IllegalArgumentException("freetext.replacement must be tags or surrogates, was " + value);
                        }
                    }
                    case "freetext.max.chars" -> max = Integer.parseInt(value);
                    default -> {
                    }
                }
            }
            return new Options(on, how, max);
        }
    }

    /**
     * Whom the text is about: the patient (null when unknown: dates then become "[DATE]"), the patient's date shift, and
     * the lower-cased name words the structured fields gave (patient, relatives, clinicians).
     */
    public record Subject(PatientIdentifier patient, int shiftDays, Set<String> knownNames) {

        public Subject {
            knownNames = Set.copyOf(knownNames);
        }

        public static Subject unknown() {
            return new Subject(null, 0, Set.of());
        }
    }

    /** One identifier in the text, [start, end), and what replaces it. */
    public record Finding(int start, int end, PhiCategory category, String replacement) {
    }

    private final PseudonymDomain domain;
    private final Options options;

    public FreeTextDetector(PseudonymDomain domain, Options options) {
        this.domain = domain;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** The same detector with other options (a profile's). */
    public FreeTextDetector with(Options other) {
        return other.equals(options) ? this : new FreeTextDetector(domain, other);
    }

    /** Lower-cased words of people's names (given, family, as written in a structured field), for {@link Subject}. */
    public static Set<String> nameWords(Collection<String> names) {
        Set<String> words = new HashSet<>();
        for (String name : names) {
            if (name != null) {
                PhiScanner.addNameWords(name, words);
            }
        }
        return words;
    }

    /** The identifiers in the examined part of {@code text} (its first maxChars characters, cut at a blank). */
    public List<Finding> find(String text, Subject subject, boolean hl7Escapes) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        int limit = examined(text);
        List<Finding> out = new ArrayList<>();
        for (Found f : PhiScanner.scan(text, limit, hl7Escapes, subject.knownNames())) {
            out.add(new Finding(f.start(), f.end(), f.category(), replacement(text, f, subject)));
        }
        return out;
    }

    /** The text with every identifier found replaced (and anything beyond maxChars replaced whole). */
    public String redact(String text, Subject subject) {
        return redact(text, subject, false);
    }

    /** As {@link #redact(String, Subject)} for an HL7v2-encoded value: escape sequences (\.br\, \T\) separate words. */
    public String redactHl7(String text, Subject subject) {
        return redact(text, subject, true);
    }

    private String redact(String text, Subject subject, boolean hl7Escapes) {
        if (!options.enabled() || text == null || text.isEmpty()) {
            return text;
        }
        int limit = examined(text);
        List<Finding> findings = find(text, subject, hl7Escapes);
        if (findings.isEmpty() && limit == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), limit + 16) + 16);
        int copied = 0;
        for (Finding f : findings) {
            out.append(text, copied, f.start()).append(f.replacement());
            copied = f.end();
        }
        out.append(text, copied, limit);
        if (limit < text.length()) {
            out.append(TRUNCATED);
        }
        return out.toString();
    }

    /** How much of the text is examined: maxChars, cut back to the last blank in the final 256 so no word is split. */
    private int examined(String text) {
        int max = options.maxChars();
        if (text.length() <= max) {
            return text.length();
        }
        for (int i = max; i > max - 256 && i > 0; i--) {
            if (Character.isWhitespace(text.charAt(i - 1))) {
                return i;
            }
        }
        return max;
    }

    // ------------------------------------------------------------------ replacements

    private String replacement(String text, Found f, Subject subject) {
        String value = text.substring(f.start(), f.end());
        return switch (f.category()) {
            case DATE -> subject.patient() == null ? PhiCategory.DATE.tag() : shifted(text, f, subject.shiftDays());
            case ZIP -> {
                String three = PseudonymDomain.zip3(value.length() >= 5 ? value.substring(0, 5) : value);
                yield three == null ? PhiCategory.ZIP.tag() : three + "XX";
            }
            case AGE -> PhiCategory.AGE.tag();
            case ADDRESS -> PhiCategory.ADDRESS.tag();
            default -> options.replacement() == Replacement.SURROGATES ? surrogate(f.category(), value, subject)
                    : f.category().tag();
        };
    }

    private String surrogate(PhiCategory category, String value, Subject subject) {
        String patient = subject.patient() == null ? "" : subject.patient().system() + "|" + subject.patient().value();
        String key = domain.identifier("freetext:" + category.name(), patient + "|" + value.toLowerCase(Locale.ROOT));
        int n = Math.floorMod(key.hashCode(), 100);
        return switch (category) {
            case NAME -> surrogateName(value, patient);
            case PHONE -> String.format(Locale.ROOT, "555-01%02d", n);
            case EMAIL -> key.toLowerCase(Locale.ROOT) + "@example.org";
            case URL -> "https://example.org/" + key.toLowerCase(Locale.ROOT);
            case IP -> "192.0.2." + (1 + Math.floorMod(key.hashCode(), 254));
            case SSN -> String.format(Locale.ROOT, "000-00-%04d", Math.floorMod(key.hashCode(), 10_000));
            default -> key;
        };
    }

    /** Each word of a name by its keyed stand-in (same case style); what stands between the words is kept. */
    private String surrogateName(String value, String patient) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        int i = 0;
        while (i < value.length()) {
            if (!Character.isLetter(value.charAt(i))) {
                out.append(value.charAt(i++));
                continue;
            }
            int j = i;
            while (j < value.length() && (Character.isLetter(value.charAt(j)) || value.charAt(j) == '\'' || value.charAt(j) == '-')) {
                j++;
            }
            String word = value.substring(i, j);
            String stand = word.length() == 1 ? "X" : domain.surrogateName(patient, word);
            out.append(word.length() > 1 && word.equals(word.toUpperCase(Locale.ROOT)) ? stand.toUpperCase(Locale.ROOT) : stand);
            i = j;
        }
        return out.toString();
    }

    /** The date moved by the shift, its parts written as they were (padding, month names, two-digit years, ordinals). */
    private static String shifted(String text, Found f, int shiftDays) {
        Found.DateParts p = f.date();
        int refYear = p.year() > 0 ? p.year() : 2024;
        int day = p.day() > 0 ? p.day() : 15;
        LocalDate moved = LocalDate.of(refYear, p.month(), day).plusDays(shiftDays);
        StringBuilder out = new StringBuilder(text.substring(f.start(), f.end()));
        // rewrite the parts right to left, so earlier offsets stay valid
        List<int[]> parts = new ArrayList<>();
        if (p.yearStart() >= 0) {
            parts.add(new int[] {p.yearStart(), p.yearEnd(), 'y'});
        }
        if (p.monthStart() >= 0) {
            parts.add(new int[] {p.monthStart(), p.monthEnd(), 'm'});
        }
        if (p.dayStart() >= 0) {
            parts.add(new int[] {p.dayStart(), p.dayEnd(), 'd'});
        }
        parts.sort((a, b) -> Integer.compare(b[0], a[0]));
        for (int[] part : parts) {
            int from = part[0] - f.start();
            int to = part[1] - f.start();
            String was = out.substring(from, to);
            String now = switch (part[2]) {
                case 'y' -> was.length() == 2 ? String.format(Locale.ROOT, "%02d", moved.getYear() % 100) : Integer.toString(moved.getYear());
                case 'm' -> p.monthByName() ? monthName(was, moved.getMonthValue()) : pad(was, moved.getMonthValue());
                default -> pad(was, moved.getDayOfMonth());
            };
            if (part[2] == 'd') {
                // an ordinal's suffix follows the digits: 1st, 22nd, 3rd, 14th
                int suffixEnd = to;
                while (suffixEnd < out.length() && Character.isLetter(out.charAt(suffixEnd))) {
                    suffixEnd++;
                }
                if (suffixEnd > to) {
                    String suffix = ordinal(moved.getDayOfMonth());
                    boolean upper = Character.isUpperCase(out.charAt(to));
                    out.replace(to, suffixEnd, upper ? suffix.toUpperCase(Locale.ROOT) : suffix);
                }
            }
            out.replace(from, to, now);
        }
        return out.toString();
    }

    private static String pad(String was, int value) {
        return was.length() == 2 ? String.format(Locale.ROOT, "%02d", value) : Integer.toString(value);
    }

    private static String ordinal(int day) {
        if (day >= 11 && day <= 13) {
            return "th";
        }
        return switch (day % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
    }

    private static String monthName(String was, int month) {
        java.time.Month m = java.time.Month.of(month);
        String name;
        if (was.length() <= 4) {
            name = was.equalsIgnoreCase("sept") && month == 9 ? "Sept" : m.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            name = name.length() > 4 ? name.substring(0, 3) : name;
        } else {
            name = m.getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        }
        if (was.equals(was.toUpperCase(Locale.ROOT))) {
            return name.toUpperCase(Locale.ROOT);
        }
        if (was.equals(was.toLowerCase(Locale.ROOT))) {
            return name.toLowerCase(Locale.ROOT);
        }
        return name;
    }
}
