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
 */
public final class FreeTextScrubber {

    public static final String MASK = "[REDACTED]";
    private static final DateTimeFormatter[] SPELLINGS = {
        DateTimeFormatter.ISO_LOCAL_DATE, DateTimeFormatter.ofPattern("MM/dd/yyyy"), DateTimeFormatter.ofPattern("M/d/yyyy"),
        DateTimeFormatter.ofPattern("dd.MM.yyyy"), DateTimeFormatter.ofPattern("yyyyMMdd"),
        DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.ENGLISH), DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH)};
    private static final Set<String> TOO_COMMON = Set.of("THE", "AND", "MR", "MRS", "MS", "DR", "USA", "MALE", "FEMALE");

    private final Set<String> values = new LinkedHashSet<>();
    private final Set<String> digitRuns = new LinkedHashSet<>();
    private Pattern pattern;
    private List<String> lowerValues;

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
        pattern = null;
        lowerValues = null;
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
            pattern = null;
            lowerValues = null;
        }
    }

    public String scrub(String text) {
        if (text == null || text.isEmpty() || (values.isEmpty() && digitRuns.isEmpty()) || !mayContain(text)) {
            return text;
        }
        Matcher m = pattern().matcher(text);
        return m.replaceAll(MASK);
    }

    /**
     * A cheap test first (most fields hold none of the values): substring search on the lower-cased text, and for the
     * digit runs whether the text has enough digits at all. Only then the one big regular expression.
     */
    private boolean mayContain(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lowerValues == null) {
            lowerValues = values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
        }
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
            values.stream().sorted(Comparator.comparingInt(String::length).reversed())
                    .forEach(v -> alternatives.add(v.length() >= 6 && v.chars().anyMatch(Character::isDigit) ? Pattern.quote(v)
                            : "(?<![\\p{L}\\p{N}])" + Pattern.quote(v) + "(?![\\p{L}\\p{N}])"));
            for (String digits : digitRuns) {
                StringBuilder p = new StringBuilder("(?<![0-9])");
                for (int i = 0; i < digits.length(); i++) {
                    if (i > 0) {
                        p.append("[\\s().\\-/\\\\]{0,2}");
                    }
                    p.append(digits.charAt(i));
                }
                alternatives.add(p.append("(?![0-9])").toString());
            }
            pattern = Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }
        return pattern;
    }
}
