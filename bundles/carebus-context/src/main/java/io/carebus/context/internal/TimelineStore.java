package io.carebus.context.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timeline tables (migration V11 of carebus-store) in the engine's database. A message is written in one
 * transaction, so a crash leaves it either wholly recorded or not at all, and a redelivery finds the same keys.
 */
final class TimelineStore {

    /** One stored coded value of an observation. */
    record Entry(String key, String code, Instant effective, Double value, String unit, String status) {
    }

    record Timeline(Optional<ClinicalMessage.Demographics> patient, List<Entry> observations) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(TimelineStore.class);

    private final DataSource dataSource;

    TimelineStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records the message; returns the {@code system|code} of every observation row it added, changed or removed
     * (empty for a message already recorded as it is).
     */
    Set<String> record(ClinicalMessage message, Instant now) throws SQLException {
        return record(message, now, Map.of());
    }

    /**
     * @param shiftDays per subject the message's patient replaces (a merge), the days its stored times move by to be in
     *                  the survivor's date shift (after carebus:deid each patient's dates are shifted by its own); absent: 0
     */
    Set<String> record(ClinicalMessage message, Instant now, Map<String, Integer> shiftDays) throws SQLException {
        try {
            return recordOnce(message, now, shiftDays);
        } catch (SQLException e) {
            // Two messages of one subject inserting the same new key at once: the loser finds the winner's rows now.
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return recordOnce(message, now, shiftDays);
            }
            throw e;
        }
    }

    private Set<String> recordOnce(ClinicalMessage message, Instant now, Map<String, Integer> shiftDays) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Set<String> changed = new TreeSet<>();
                long recorded = now.toEpochMilli();
                int[] moved = new int[4];
                for (String retired : message.replaces()) {
                    merge(c, retired, message.subject(), shiftDays.getOrDefault(retired, 0), changed, moved);
                }
                for (ClinicalMessage.ObservationFact o : message.observations()) {
                    observation(c, message.subject(), o, recorded, changed);
                }
                if (message.patient().isPresent()) {
                    patient(c, message.subject(), message.patient().get(), recorded);
                }
                for (ClinicalMessage.ConditionFact condition : message.conditions()) {
                    condition(c, message.subject(), condition, recorded);
                }
                for (ClinicalMessage.EncounterFact encounter : message.encounters()) {
                    encounter(c, message.subject(), encounter, recorded);
                }
                c.commit();
                if (moved[0] + moved[1] + moved[2] + moved[3] > 0) {
                    // counts only: the subjects are patient identifiers where no carebus:deid ran before
                    LOG.info("Patient context: a merge moved {} observation entries, {} conditions, {} encounters and {} "
                            + "demographics to the surviving patient", moved[0], moved[1], moved[2], moved[3]);
                }
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static void observation(Connection c, String subject, ClinicalMessage.ObservationFact o, long recorded, Set<String> changed)
            throws SQLException {
        Map<String, ClinicalMessage.CodedValue> wanted = new LinkedHashMap<>();
        for (ClinicalMessage.CodedValue v : o.values()) {
            wanted.put(v.code(), v);
        }
        long at = o.effective().toEpochMilli();
        if (o.removes()) {
            Set<String> removed = deleteKey(c, subject, o.key());
            if (removed.isEmpty()) {
                // A cancellation that names the result by a new identity: it removes what sits at its code and time.
                for (String code : wanted.keySet()) {
                    if (deleteAtTime(c, subject, code, at, null) > 0) {
                        removed.add(code);
                    }
                }
            }
            changed.addAll(removed);
            return;
        }
        if (o.corrects()) {
            for (String code : wanted.keySet()) {
                if (deleteAtTime(c, subject, code, at, o.key()) > 0) {
                    changed.add(code);
                }
            }
        }
        Map<String, Entry> existing = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT code, effective_millis, value_num, unit, status FROM context_observation "
                + "WHERE subject = ? AND obs_key = ? FOR UPDATE")) {
            ps.setString(1, subject);
            ps.setString(2, o.key());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    existing.put(rs.getString(1), entry(o.key(), rs.getString(1), rs.getLong(2), rs, 3));
                }
            }
        }
        for (String code : existing.keySet()) {
            if (!wanted.containsKey(code)) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM context_observation WHERE subject = ? AND obs_key = ? AND code = ?")) {
                    ps.setString(1, subject);
                    ps.setString(2, o.key());
                    ps.setString(3, code);
                    ps.executeUpdate();
                }
                changed.add(code);
            }
        }
        for (ClinicalMessage.CodedValue v : wanted.values()) {
            Entry before = existing.get(v.code());
            Entry after = new Entry(o.key(), v.code(), o.effective(), v.value(), truncate(v.unit(), 64), truncate(o.status(), 32));
            if (before == null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO context_observation (subject, obs_key, code, effective_millis, "
                        + "value_num, unit, status, recorded_millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, subject);
                    ps.setString(2, o.key());
                    ps.setString(3, v.code());
                    bind(ps, 4, after, recorded);
                    ps.executeUpdate();
                }
                changed.add(v.code());
            } else if (!before.equals(after)) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE context_observation SET effective_millis = ?, value_num = ?, unit = ?, "
                        + "status = ?, recorded_millis = ? WHERE subject = ? AND obs_key = ? AND code = ?")) {
                    bind(ps, 1, after, recorded);
                    ps.setString(6, subject);
                    ps.setString(7, o.key());
                    ps.setString(8, v.code());
                    ps.executeUpdate();
                }
                changed.add(v.code());
            }
        }
    }

    /** Binds effective, value, unit, status and recorded time from {@code index} on. */
    private static void bind(PreparedStatement ps, int index, Entry e, long recorded) throws SQLException {
        ps.setLong(index, e.effective().toEpochMilli());
        if (e.value() == null) {
            ps.setNull(index + 1, Types.DOUBLE);
        } else {
            ps.setDouble(index + 1, e.value());
        }
        ps.setString(index + 2, e.unit());
        ps.setString(index + 3, e.status());
        ps.setLong(index + 4, recorded);
    }

    private static Entry entry(String key, String code, long effective, ResultSet rs, int from) throws SQLException {
        double value = rs.getDouble(from);
        Double boxed = rs.wasNull() ? null : value;
        return new Entry(key, code, Instant.ofEpochMilli(effective), boxed, rs.getString(from + 1), rs.getString(from + 2));
    }

    private static Set<String> deleteKey(Connection c, String subject, String key) throws SQLException {
        Set<String> codes = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT code FROM context_observation WHERE subject = ? AND obs_key = ? FOR UPDATE")) {
            ps.setString(1, subject);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    codes.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM context_observation WHERE subject = ? AND obs_key = ?")) {
            ps.setString(1, subject);
            ps.setString(2, key);
            ps.executeUpdate();
        }
        return codes;
    }

    /** Deletes the subject's rows of {@code code} at exactly {@code at}, except those of {@code keep} (may be null). */
    private static int deleteAtTime(Connection c, String subject, String code, long at, String keep) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM context_observation WHERE subject = ? AND code = ? AND effective_millis = ?"
                + (keep == null ? "" : " AND obs_key <> ?"))) {
            ps.setString(1, subject);
            ps.setString(2, code);
            ps.setLong(3, at);
            if (keep != null) {
                ps.setString(4, keep);
            }
            return ps.executeUpdate();
        }
    }

    /**
     * A merge: the retired subject's timeline becomes the survivor's, in the message's transaction. Observations,
     * conditions and encounters move (where the survivor already holds one of the same identity, the survivor's stays);
     * demographics fill only what the survivor lacks. The codes of the observations that moved join {@code changed},
     * so the survivor is scored again. Done once: the retired subject is empty afterwards, so a redelivered merge moves
     * nothing (and, should messages for the retired identifier have come since, moves those).
     *
     * @param moved counts of observation entries, conditions, encounters and demographics rows moved (added to)
     */
    private static void merge(Connection c, String retired, String survivor, int shiftDays, Set<String> changed, int[] moved)
            throws SQLException {
        long shift = shiftDays * 86_400_000L;
        dropShadowed(c, "context_observation", "obs_key = context_observation.obs_key AND s.code = context_observation.code", retired, survivor);
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT code FROM context_observation WHERE subject = ?")) {
            ps.setString(1, retired);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changed.add(rs.getString(1));
                }
            }
        }
        moved[0] += moveRows(c, "context_observation", ", effective_millis = effective_millis + ?", 1, shift, retired, survivor);
        dropShadowed(c, "context_condition", "condition_key = context_condition.condition_key", retired, survivor);
        moved[1] += moveRows(c, "context_condition", ", onset_millis = onset_millis + ?", 1, shift, retired, survivor);
        dropShadowed(c, "context_encounter", "encounter_key = context_encounter.encounter_key", retired, survivor);
        moved[2] += moveRows(c, "context_encounter", ", start_millis = start_millis + ?, end_millis = end_millis + ?", 2, shift,
                retired, survivor);

        ClinicalMessage.Demographics before = null;
        long recorded = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT birth_date, gender, recorded_millis FROM context_patient WHERE subject = ? FOR UPDATE")) {
            ps.setString(1, retired);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    before = new ClinicalMessage.Demographics(shiftDate(rs.getString(1), shiftDays), rs.getString(2));
                    recorded = rs.getLong(3);
                }
            }
        }
        if (before == null) {
            return;
        }
        int updated;
        try (PreparedStatement ps = c.prepareStatement("UPDATE context_patient SET birth_date = COALESCE(birth_date, ?), "
                + "gender = COALESCE(gender, ?) WHERE subject = ?")) {
            ps.setString(1, before.birthDate());
            ps.setString(2, before.gender());
            ps.setString(3, survivor);
            updated = ps.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO context_patient (subject, birth_date, gender, recorded_millis) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, survivor);
                ps.setString(2, before.birthDate());
                ps.setString(3, before.gender());
                ps.setLong(4, recorded);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM context_patient WHERE subject = ?")) {
            ps.setString(1, retired);
            ps.executeUpdate();
        }
        moved[3]++;
    }

    /** Deletes the retired subject's rows the survivor holds under the same identity ({@code match}, against alias s). */
    private static void dropShadowed(Connection c, String table, String match, String retired, String survivor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE subject = ? AND EXISTS (SELECT 1 FROM "
                + table + " s WHERE s.subject = ? AND s." + match + ")")) {
            ps.setString(1, retired);
            ps.setString(2, survivor);
            ps.executeUpdate();
        }
    }

    /**
     * Re-files the retired subject's rows under the survivor, its times ({@code shiftTimes}, {@code times} parameters)
     * moved by {@code shift} ms; when the engine learnt them stays as it was (retention).
     */
    private static int moveRows(Connection c, String table, String shiftTimes, int times, long shift, String retired, String survivor)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET subject = ?" + shiftTimes + " WHERE subject = ?")) {
            ps.setString(1, survivor);
            for (int i = 0; i < times; i++) {
                ps.setLong(2 + i, shift);
            }
            ps.setString(2 + times, retired);
            return ps.executeUpdate();
        }
    }

    /** A full birth date moved by the days; a year or year-month (Safe Harbor over 89) stays as it is. */
    private static String shiftDate(String date, int days) {
        if (date == null || days == 0 || date.length() != 10) {
            return date;
        }
        try {
            return java.time.LocalDate.parse(date).plusDays(days).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return date;
        }
    }

    /** Demographics: what this message says, keeping what an earlier message said where this one is silent. */
    private static void patient(Connection c, String subject, ClinicalMessage.Demographics d, long recorded) throws SQLException {
        String birth = truncate(d.birthDate(), 10);
        String gender = truncate(d.gender(), 16);
        int updated;
        try (PreparedStatement ps = c.prepareStatement("UPDATE context_patient SET birth_date = COALESCE(?, birth_date), "
                + "gender = COALESCE(?, gender), recorded_millis = ? WHERE subject = ?")) {
            ps.setString(1, birth);
            ps.setString(2, gender);
            ps.setLong(3, recorded);
            ps.setString(4, subject);
            updated = ps.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO context_patient (subject, birth_date, gender, recorded_millis) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, subject);
                ps.setString(2, birth);
                ps.setString(3, gender);
                ps.setLong(4, recorded);
                ps.executeUpdate();
            }
        }
    }

    private static void condition(Connection c, String subject, ClinicalMessage.ConditionFact f, long recorded) throws SQLException {
        deleteRow(c, "context_condition", "condition_key", subject, f.key());
        if (f.verificationStatus() != null && f.verificationStatus().endsWith("|entered-in-error")) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO context_condition (subject, condition_key, code, clinical_status, "
                + "verification_status, onset_millis, recorded_millis) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, subject);
            ps.setString(2, truncate(f.key(), 255));
            ps.setString(3, truncate(f.code(), 255));
            ps.setString(4, truncate(code(f.clinicalStatus()), 32));
            ps.setString(5, truncate(code(f.verificationStatus()), 32));
            setInstant(ps, 6, f.onset());
            ps.setLong(7, recorded);
            ps.executeUpdate();
        }
    }

    private static void encounter(Connection c, String subject, ClinicalMessage.EncounterFact f, long recorded) throws SQLException {
        deleteRow(c, "context_encounter", "encounter_key", subject, f.key());
        if ("entered-in-error".equals(f.status()) || "cancelled".equals(f.status())) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO context_encounter (subject, encounter_key, class_code, status, "
                + "start_millis, end_millis, recorded_millis) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, subject);
            ps.setString(2, truncate(f.key(), 255));
            ps.setString(3, truncate(f.classCode(), 64));
            ps.setString(4, truncate(f.status(), 32));
            setInstant(ps, 5, f.start());
            setInstant(ps, 6, f.end());
            ps.setLong(7, recorded);
            ps.executeUpdate();
        }
    }

    private static void deleteRow(Connection c, String table, String keyColumn, String subject, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE subject = ? AND " + keyColumn + " = ?")) {
            ps.setString(1, subject);
            ps.setString(2, truncate(key, 255));
            ps.executeUpdate();
        }
    }

    /**
     * The subject's demographics and its observations effective within [from, to], the latest {@code max} of them,
     * oldest first.
     */
    Timeline timeline(String subject, Instant from, Instant to, int max) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<ClinicalMessage.Demographics> patient = Optional.empty();
            try (PreparedStatement ps = c.prepareStatement("SELECT birth_date, gender FROM context_patient WHERE subject = ?")) {
                ps.setString(1, subject);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        patient = Optional.of(new ClinicalMessage.Demographics(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT obs_key, code, effective_millis, value_num, unit, status FROM context_observation "
                    + "WHERE subject = ? AND effective_millis >= ? AND effective_millis <= ? "
                    + "ORDER BY effective_millis DESC, obs_key, code FETCH FIRST ? ROWS ONLY")) {
                ps.setString(1, subject);
                ps.setLong(2, from.toEpochMilli());
                ps.setLong(3, to.toEpochMilli());
                ps.setInt(4, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(entry(rs.getString(1), rs.getString(2), rs.getLong(3), rs, 4));
                    }
                }
            }
            java.util.Collections.reverse(entries);
            return new Timeline(patient, entries);
        }
    }

    /**
     * Only what a card reads (see {@link CardReads}): each windowed code's entries within its window before
     * {@code asOf}, and the latest few of each latest-only code within [from, asOf]; the latest {@code max} of them,
     * oldest first. Each query walks the (subject, code, time) index over a bounded range, so the cost does not grow
     * with the patient's history.
     */
    Timeline timeline(String subject, CardReads reads, Instant from, Instant asOf, int max) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<ClinicalMessage.Demographics> patient = demographics(c, subject);
            List<Entry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT obs_key, code, effective_millis, value_num, unit, status FROM context_observation "
                    + "WHERE subject = ? AND code = ? AND effective_millis >= ? AND effective_millis <= ? "
                    + "ORDER BY effective_millis DESC, obs_key FETCH FIRST ? ROWS ONLY")) {
                for (Map.Entry<String, java.time.Duration> read : reads.windows().entrySet()) {
                    Instant start = asOf.minus(read.getValue());
                    select(ps, subject, read.getKey(), start.isAfter(from) ? start : from, asOf, max, entries);
                }
                // A few, not one: the latest may be preliminary, which features skip for the one before it.
                for (String code : reads.latestOnly()) {
                    select(ps, subject, code, from, asOf, LATEST_ONLY_ROWS, entries);
                }
            }
            entries.sort(java.util.Comparator.comparing(Entry::effective).thenComparing(Entry::key).thenComparing(Entry::code));
            return new Timeline(patient, entries.size() > max ? List.copyOf(entries.subList(entries.size() - max, entries.size())) : entries);
        }
    }

    private static final int LATEST_ONLY_ROWS = 5;

    private static void select(PreparedStatement ps, String subject, String code, Instant from, Instant to, int rows, List<Entry> into)
            throws SQLException {
        ps.setString(1, subject);
        ps.setString(2, code);
        ps.setLong(3, from.toEpochMilli());
        ps.setLong(4, to.toEpochMilli());
        ps.setInt(5, rows);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(entry(rs.getString(1), rs.getString(2), rs.getLong(3), rs, 4));
            }
        }
    }

    private static Optional<ClinicalMessage.Demographics> demographics(Connection c, String subject) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT birth_date, gender FROM context_patient WHERE subject = ?")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ClinicalMessage.Demographics(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** Removes every entry the engine learnt before {@code before}; returns how many rows went. */
    int prune(Instant before) throws SQLException {
        int removed = 0;
        try (Connection c = dataSource.getConnection()) {
            for (String table : List.of("context_observation", "context_condition", "context_encounter")) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE recorded_millis < ?")) {
                    ps.setLong(1, before.toEpochMilli());
                    removed += ps.executeUpdate();
                }
            }
            // Demographics stay while observations of the patient do: vitals alone (FHIR intake) do not renew them.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM context_patient WHERE recorded_millis < ? AND NOT EXISTS "
                    + "(SELECT 1 FROM context_observation o WHERE o.subject = context_patient.subject)")) {
                ps.setLong(1, before.toEpochMilli());
                removed += ps.executeUpdate();
            }
        }
        return removed;
    }

    private static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, at.toEpochMilli());
        }
    }

    /** {@code system|code} to its code: statuses are stored without their code system. */
    private static String code(String systemAndCode) {
        return systemAndCode == null ? null : systemAndCode.substring(systemAndCode.indexOf('|') + 1);
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
