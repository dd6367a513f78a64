package io.carebus.deid.internal.text;

import io.carebus.deid.PhiCategory;

/**
 * One identifier found: characters [start, end) of the text and its category; for a date, where its parts are written
 * and what they said, so the shifted date is written the same way.
 */
public record Found(int start, int end, PhiCategory category, DateParts date) {

    public Found(int start, int end, PhiCategory category) {
        this(start, end, category, null);
    }

    /**
     * Character ranges of a date's year, month and day (start -1 when not written) and their values (year -1 when not
     * written; a two-digit year already widened); month by name (its spelling is kept: full, abbreviated, case).
     */
    public record DateParts(int yearStart, int yearEnd, int monthStart, int monthEnd, int dayStart, int dayEnd,
                            int year, int month, int day, boolean monthByName) {
    }
}
