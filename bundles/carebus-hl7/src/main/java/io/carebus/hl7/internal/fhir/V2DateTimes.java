package io.carebus.hl7.internal.fhir;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HL7v2 DTM/TS/DT ({@code YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]}) to FHIR dateTime text, keeping the precision the
 * sender gave. FHIR wants a zone with any time; a time sent without one is read in the appliance's zone.
 */
final class V2DateTimes {

    private static final Pattern DTM = Pattern.compile(
            "(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\.\\d{1,4})?([+-]\\d{4})?");

    /** TM: {@code HH[MM[SS[.S...]]][+/-ZZZZ]}, and the {@code HH:MM[:SS]} senders send (seen in TQ1-4). */
    private static final Pattern TM = Pattern.compile("(\\d{2})(?::?(\\d{2})(?::?(\\d{2})(\\.\\d{1,4})?)?)?([+-]\\d{4})?");

    private V2DateTimes() {
    }

    /**
     * A TM as a FHIR {@code time} ({@code hh:mm:ss}): minutes and seconds the sender left out are 00; an offset is
     * dropped (FHIR's time of day has none). Empty when it is no time (hour 24 or more, minute 60, letters).
     */
    static Optional<String> toFhirTime(String v2) {
        Matcher m = TM.matcher(v2 == null ? "" : v2.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        int hour = Integer.parseInt(m.group(1));
        int minute = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int second = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        if (hour > 23 || minute > 59 || second > 59) {
            return Optional.empty();
        }
        return Optional.of(String.format(java.util.Locale.ROOT, "%02d:%02d:%02d%s", hour, minute, second,
                m.group(4) == null ? "" : m.group(4)));
    }

    static Optional<String> toFhir(String v2, ZoneId localZone) {
        Matcher m = DTM.matcher(v2 == null ? "" : v2.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(m.group(1));
        if (m.group(2) == null) {
            return Optional.of(out.toString());
        }
        // The calendar is checked at every precision: "20261301" is no date, with or without a time (issue 26).
        if (!validCalendar(m.group(1), m.group(2), m.group(3))) {
            return Optional.empty();
        }
        out.append('-').append(m.group(2));
        if (m.group(3) == null) {
            return Optional.of(out.toString());
        }
        out.append('-').append(m.group(3));
        if (m.group(4) == null) {
            return Optional.of(out.toString());
        }
        String minute = m.group(5) == null ? "00" : m.group(5);
        String second = m.group(6) == null ? "00" : m.group(6);
        String fraction = m.group(7) == null ? "" : m.group(7);
        out.append('T').append(m.group(4)).append(':').append(minute).append(':').append(second).append(fraction);
        ZoneOffset offset;
        try {
            if (m.group(8) != null) {
                offset = ZoneOffset.of(m.group(8).substring(0, 3) + ":" + m.group(8).substring(3));
            } else {
                LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(minute), Integer.parseInt(second));
                offset = localZone.getRules().getOffset(local);
            }
            // Validates the calendar fields too (month 13, hour 25 ...).
            LocalDateTime.parse(out.toString());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        out.append(offset.getId().equals("Z") ? "+00:00" : offset.getId());
        return Optional.of(out.toString());
    }

    private static boolean validCalendar(String year, String month, String day) {
        try {
            YearMonth yearMonth = YearMonth.of(Integer.parseInt(year), Integer.parseInt(month));
            return day == null || yearMonth.isValidDay(Integer.parseInt(day));
        } catch (DateTimeException e) {
            return false;
        }
    }

    /** Date part only (FHIR {@code date}), e.g. for a birth date sent with a time. */
    static Optional<String> toFhirDate(String v2) {
        String s = v2 == null ? "" : v2.trim();
        return toFhir(s.length() > 8 ? s.substring(0, 8) : s, ZoneOffset.UTC);
    }
}
