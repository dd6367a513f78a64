package io.carebus.deid;

import ca.uhn.hl7v2.parser.EncodingCharacters;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes known identifying values from free text: each value case-insensitively; numbers of seven or more digits
 * whatever separators are written between the digits (phone, SSN, MRN spelled differently); dates in the spellings
 * people write (2026-03-14, 03/14/2026, 3/14/2026, 14.03.2026, 20260314, March 14, 2026). Longest values first, so
 * "Anna Maria" goes before "Anna".
 *
 * <p>Values come from the message itself, so their length is the sender's choice. Short ones (up to
 * {@value #MAX_PATTERN_VALUE} characters, digit runs up to {@value #MAX_PATTERN_DIGITS} digits) go into one regular
 * expression whose size does not grow with the text: literals, fixed-width lookarounds and bounded separator classes,
 * nothing that backtracks more than a few characters. Longer ones never become a pattern (Java's matcher recurses once
 * per pattern node, so a megabyte digit run compiled into one overflowed the stack): they are found by a linear
 * search (Knuth-Morris-Pratt on case-folded characters) with the same word or digit boundaries, and a long digit
 * run is matched as written, without separators between its digits.
 */
public final class FreeTextScrubber {

    public static final String MASK = "[REDACTED]";
    private static final DateTimeFormatter[] SPELLINGS = {
        DateTimeFormatter.ISO_LOCAL_DATE, DateTimeFormatter.ofPattern("MM/dd/yyyy"), DateTimeFormatter.ofPattern("M/d/yyyy"),
        DateTimeFormatter.ofPattern("dd.MM.yyyy"), DateTimeFormatter.ofPattern("yyyyMMdd"),
        DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.ENGLISH), DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH)};
    private static final Set<String> TOO_COMMON = Set.of("THE", "AND", "MR", "MRS", "MS", "DR", "USA", "MALE", "FEMALE");
    /** Longer values are searched for without a regular expression. */
    static final int MAX_PATTERN_VALUE = 256;
    /** Longer digit runs are matched as written (no separators between their digits), without a regular expression. */
    static final int MAX_PATTERN_DIGITS = 64;

    private final Set<String> values = new LinkedHashSet<>();
    private final Set<String> digitRuns = new LinkedHashSet<>();
    /** Null until needed, and again after each add; {@link #NONE} when every value is a long one. */
    private Pattern pattern;
    private List<String> lowerValues;
    private List<LongValue> longValues;
    private int shortestLong;

    private static final Pattern NONE = Pattern.compile("(?!)");

    /** Where a match may begin and end: anywhere, not inside a word (letters, numbers), not inside a number. */
    private enum Boundary { ANYWHERE, WORD, NUMBER }

    /** A value too long for the pattern, case-folded, with its Knuth-Morris-Pratt failure table. */
    private record LongValue(char[] folded, int[] failure, Boundary boundary) {

        static LongValue of(String value, Boundary boundary) {
            char[] folded = fold(value);
            int[] failure = new int[folded.length];
            for (int i = 1, k = 0; i < folded.length; i++) {
                while (k > 0 && folded[i] != folded[k]) {
                    k = failure[k - 1];
                }
                if (folded[i] == folded[k]) {
                    k++;
                }
                failure[i] = k;
            }
            return new LongValue(folded, failure, boundary);
        }
    }

    /** A value that identifies the patient; short or common words are ignored (they would shred ordinary text). */
    public void add(String value) {
        if (value == null) {
            return;
        }
        String v = value.strip();
        String digits = v.replaceAll("[^0-9]", "");
        if (digits.length() >= 7 && digits.length() * 2 >= v.length()) {
            digitRuns.add(digits);
        }
        if (v.length() >= 3 && !TOO_COMMON.contains(v.toUpperCase(Locale.ROOT)) && !v.matches("[0-9]{1,3}")) {
            values.add(v);
        }
        forget();
    }

    private void forget() {
        pattern = null;
        lowerValues = null;
        longValues = null;
    }

    /** Every component and subcomponent of an HL7v2 field value. */
    public void addComponents(String encoded, EncodingCharacters enc) {
        String separators = Pattern.quote(Character.toString(enc.getComponentSeparator())) + "|"
                + Pattern.quote(Character.toString(enc.getSubcomponentSeparator())) + "|"
                + Pattern.quote(Character.toString(enc.getRepetitionSeparator()));
        for (String part : encoded.split(separators)) {
            add(part);
        }
        add(encoded.replaceAll(separators, " ").strip());
    }

    /** A date (yyyyMMdd... as HL7v2 writes it, or ISO) in all its spellings. */
    public void addDate(String value) {
        String digits = value == null ? "" : value.strip();
        LocalDate date = null;
        try {
            if (digits.matches("[0-9]{8}.*")) {
                date = LocalDate.parse(digits.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
            } else if (digits.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}.*")) {
                date = LocalDate.parse(digits.substring(0, 10));
            }
        } catch (java.time.format.DateTimeParseException e) {
            return;
        }
        if (date != null) {
            for (DateTimeFormatter f : SPELLINGS) {
                values.add(date.format(f));
            }
            forget();
        }
    }

    public String scrub(String text) {
        if (text == null || text.isEmpty() || (values.isEmpty() && digitRuns.isEmpty()) || !mayContain(text)) {
            return text;
        }
        String out = text;
        for (LongValue value : longValues) {
            out = replaceLong(out, value);
        }
        Pattern p = pattern();
        return p == NONE ? out : p.matcher(out).replaceAll(MASK);
    }

    /**
     * A cheap test first (most fields hold none of the values): substring search on the lower-cased text for the
     * short values, and for the digit runs whether the text has enough digits at all. Only then the one big regular
     * expression. Long values are not searched for twice: a text as long as the shortest of them goes on to the search.
     */
    private boolean mayContain(String text) {
        if (lowerValues == null) {
            prepare();
        }
        if (!longValues.isEmpty() && text.length() >= shortestLong) {
            return true;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (String v : lowerValues) {
            if (lower.contains(v)) {
                return true;
            }
        }
        if (!digitRuns.isEmpty()) {
            int digits = 0;
            for (int i = 0; i < text.length(); i++) {
                if (Character.isDigit(text.charAt(i)) && ++digits >= 7) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Splits the values into those for the pattern (their lower-cased forms for {@link #mayContain}) and long ones. */
    private void prepare() {
        List<String> lower = new ArrayList<>();
        List<LongValue> longs = new ArrayList<>();
        for (String v : values) {
            if (v.length() > MAX_PATTERN_VALUE) {
                longs.add(LongValue.of(v, identifierLike(v) ? Boundary.ANYWHERE : Boundary.WORD));
            } else {
                lower.add(v.toLowerCase(Locale.ROOT));
            }
        }
        for (String digits : digitRuns) {
            if (digits.length() > MAX_PATTERN_DIGITS) {
                longs.add(LongValue.of(digits, Boundary.NUMBER));
            }
        }
        longs.sort(Comparator.comparingInt((LongValue v) -> v.folded().length).reversed());
        lowerValues = lower;
        longValues = longs;
        shortestLong = longs.stream().mapToInt(v -> v.folded().length).min().orElse(Integer.MAX_VALUE);
    }

    /** Identifiers (six or more characters with a digit) match wherever they occur; other values as whole words. */
    private static boolean identifierLike(String v) {
        return v.length() >= 6 && v.chars().anyMatch(Character::isDigit);
    }

    /** The case folding of {@link Pattern#CASE_INSENSITIVE} with {@link Pattern#UNICODE_CASE}, one char at a time. */
    private static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private static char[] fold(String s) {
        char[] out = new char[s.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fold(s.charAt(i));
        }
        return out;
    }

    private static boolean inWord(char c) {
        if (Character.isLetter(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static boolean blocks(Boundary boundary, String text, int index) {
        if (index < 0 || index >= text.length()) {
            return false;
        }
        char c = text.charAt(index);
        return switch (boundary) {
            case ANYWHERE -> false;
            case WORD -> inWord(c);
            case NUMBER -> c >= '0' && c <= '9';
        };
    }

    /** Every occurrence of a long value, leftmost first and not overlapping, masked: one pass, linear in the text. */
    private static String replaceLong(String text, LongValue value) {
        char[] v = value.folded();
        if (text.length() < v.length) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0, k = 0; i < text.length(); i++) {
            char c = fold(text.charAt(i));
            while (k > 0 && c != v[k]) {
                k = value.failure()[k - 1];
            }
            if (c == v[k]) {
                k++;
            }
            if (k == v.length) {
                int start = i - v.length + 1;
                if (start >= copied && !blocks(value.boundary(), text, start - 1) && !blocks(value.boundary(), text, i + 1)) {
                    if (out == null) {
                        out = new StringBuilder(text.length());
                    }
                    out.append(text, copied, start).append(MASK);
                    copied = i + 1;
                }
                k = value.failure()[k - 1];
            }
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** The values it removes (for the leakage test and reports; never logged). */
    public Set<String> values() {
        Set<String> all = new LinkedHashSet<>(values);
        all.addAll(digitRuns);
        return all;
    }

    private Pattern pattern() {
        if (pattern == null) {
            List<String> alternatives = new ArrayList<>();
            // Words (names, cities) only as whole words, or ordinary text would be shredded; identifiers (six or more
            // characters with a digit) wherever they occur, also glued into other text ("ORD12345").
            values.stream().filter(v -> v.length() <= MAX_PATTERN_VALUE).sorted(Comparator.comparingInt(String::length).reversed())
                    .forEach(v -> alternatives.add(identifierLike(v) ? Pattern.quote(v)
                            : "(?<![\\p{L}\\p{N}])" + Pattern.quote(v) + "(?![\\p{L}\\p{N}])"));
            for (String digits : digitRuns) {
                if (digits.length() > MAX_PATTERN_DIGITS) {
                    continue;
                }
                StringBuilder p = new StringBuilder("(?<![0-9])");
                for (int i = 0; i < digits.length(); i++) {
                    if (i > 0) {
                        p.append("[\\s().\\-/\\\\]{0,2}");
                    }
                    p.append(digits.charAt(i));
                }
                alternatives.add(p.append("(?![0-9])").toString());
            }
            pattern = alternatives.isEmpty() ? NONE
                    : Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }
        return pattern;
    }
}
