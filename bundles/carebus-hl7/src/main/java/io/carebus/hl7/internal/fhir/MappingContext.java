package io.carebus.hl7.internal.fhir;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;

/**
 * What every segment mapping shares while one message is mapped: the Bundle being built, the sending facility (the
 * fallback authority of identifiers), the zone of times sent without an offset, the current patient and visit (the
 * anchors of derived identifiers) and the warnings. Typed reads go through here so that a value that does not fit its
 * type becomes a warning and an omitted element, never an exception (the mapping degrades per field).
 */
final class MappingContext {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)");
    /** More digits than a DTM has (seen from senders: {@code 2004062916580000}): the extra ones are a fraction. */
    private static final Pattern OVERLONG_DTM = Pattern.compile("(\\d{14})(\\d{1,4})([+-]\\d{4})?");
    private static final int MAX_WARNINGS = 200;

    final String facility;
    final ZoneId zone;
    final BundleBuilder bundle;
    final People people;
    private final List<MappingWarning> warnings = new ArrayList<>();
    private int droppedWarnings;

    /** The current patient and visit, and the identifier values derived identifiers hang off. */
    Reference subject;
    String patientAnchor = "";
    Reference encounter;
    String encounterAnchor = "";

    MappingContext(String facility, ZoneId zone, BundleBuilder bundle) {
        this.facility = facility;
        this.zone = zone;
        this.bundle = bundle;
        this.people = new People(this);
    }

    List<MappingWarning> warnings() {
        if (droppedWarnings == 0) {
            return List.copyOf(warnings);
        }
        List<MappingWarning> all = new ArrayList<>(warnings);
        all.add(new MappingWarning("*", droppedWarnings + " further warnings not listed", 0));
        return List.copyOf(all);
    }

    void warn(String field, String problem, int length) {
        if (warnings.size() < MAX_WARNINGS) {
            warnings.add(new MappingWarning(field, problem, length));
        } else {
            droppedWarnings++;
        }
    }

    /** Runs one segment's mapping; whatever it throws costs that segment only, recorded as a warning. */
    void guarded(V2Segment segment, Runnable mapping) {
        try {
            mapping.run();
        } catch (RuntimeException e) {
            warn(segment.name(), "segment not mapped (" + e.getClass().getSimpleName() + ")", 0);
        }
    }

    static String place(V2Segment s, int field) {
        return s.name() + "-" + field;
    }

    /** A DTM/TS (component {@code component} of repetition {@code rep}) as a FHIR dateTime; empty and a warning when bad. */
    Optional<DateTimeType> dateTime(V2Segment s, int field, int rep, int component) {
        String value = s.get(field, rep, component, 1);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> fhir = V2DateTimes.toFhir(value, zone);
        if (fhir.isEmpty()) {
            var overlong = OVERLONG_DTM.matcher(value);
            if (overlong.matches()) {
                fhir = V2DateTimes.toFhir(overlong.group(1) + "." + overlong.group(2)
                        + (overlong.group(3) == null ? "" : overlong.group(3)), zone);
            }
        }
        try {
            // the FHIR type checks the calendar (month 13, day 99) that the DTM pattern lets through
            return Optional.of(new DateTimeType(fhir.orElseThrow()));
        } catch (RuntimeException e) {
            warn(place(s, field), "not a valid date/time (DTM)", value.length());
            return Optional.empty();
        }
    }

    Optional<DateTimeType> dateTime(V2Segment s, int field) {
        return dateTime(s, field, 0, 1);
    }

    /** An instant needs seconds and a zone: a DTM with less precision is kept as a dateTime elsewhere, not here. */
    Optional<InstantType> instant(V2Segment s, int field) {
        return dateTime(s, field).filter(t -> t.getValueAsString().length() > 16).map(t -> new InstantType(t.getValueAsString()));
    }

    /** A DT (or the date part of a DTM, as senders put times and zones in DT fields). */
    Optional<DateType> date(V2Segment s, int field, int rep, int component) {
        String value = s.get(field, rep, component, 1);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> fhir = V2DateTimes.toFhirDate(value);
        try {
            return Optional.of(new DateType(fhir.orElseThrow()));
        } catch (RuntimeException e) {
            warn(place(s, field), "not a valid date (DT)", value.length());
            return Optional.empty();
        }
    }

    Optional<DateType> date(V2Segment s, int field) {
        return date(s, field, 0, 1);
    }

    Optional<BigDecimal> decimal(V2Segment s, int field, int rep, int component) {
        String value = s.get(field, rep, component, 1);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!DECIMAL.matcher(value).matches()) {
            warn(place(s, field), "not a number (NM)", value.length());
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(value.startsWith(".") ? "0" + value : value));
    }

    Optional<BigDecimal> decimal(V2Segment s, int field) {
        return decimal(s, field, 0, 1);
    }

    /**
     * An identifier for a resource the message gives no business identifier for, derived from what it is attached to
     * (the visit, else the patient) and what it is (its code): stable, so a replay or an update of the same fact
     * updates, and distinct for distinct facts. Null when there is nothing to anchor it to.
     */
    Identifier derived(String kind, String... parts) {
        return derivedFrom(!encounterAnchor.isEmpty() ? encounterAnchor : patientAnchor, kind, parts);
    }

    /** As {@link #derived} for facts about the patient, not the visit (allergies, problems, relatives, coverage). */
    Identifier derivedForPatient(String kind, String... parts) {
        return derivedFrom(patientAnchor, kind, parts);
    }

    private Identifier derivedFrom(String anchor, String kind, String... parts) {
        StringBuilder value = new StringBuilder(kind);
        boolean any = false;
        for (String part : parts) {
            if (part != null && !part.isBlank()) {
                value.append('-').append(V2Types.uriSafe(part));
                any = true;
            }
        }
        if (anchor.isEmpty() || !any) {
            return null;
        }
        return new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(facility))
                .setValue(V2Types.uriSafe(anchor) + "-" + value);
    }
}
