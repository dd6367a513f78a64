package io.carebus.deid;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.AbstractSegment;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.ReadOnlyMessageIterator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.deid.AssigningAuthorities;
import io.carebus.api.deid.PatientIdentifier;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * HL7v2 de-identification by a {@link Hl7Profile}: the patient (first PID-3 identifier) decides the pseudonym, date
 * shift and replacement name; each profiled field is removed, pseudonymized, hashed, renamed, shifted, reduced
 * (addresses: state, 3-digit ZIP, country) or kept; Z-segments as the profile says. Free text (NTE-3, OBX-5 of text
 * types, other SCRUB fields) is then scrubbed of every identifying value the message held before (names, identifiers,
 * phone numbers, addresses, dates in the usual spellings) and of the values the caller knows for the patient (the
 * vault), so a nurse's note that repeats the name or MRN leaks nothing. Parsing and encoding are HAPI's, for every
 * version and for Z-segments.
 */
public final class Hl7Deidentifier {

    /** What came out: the message, whose it was (null when no PID names a patient) and how much changed. */
    public record Result(String message, PatientIdentifier patient, String pseudonym, int shiftDays, int fieldsChanged,
                         FreeTextScrubber scrubber) {
    }

    private static final DateTimeFormatter V2_DATE = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final PseudonymDomain domain;
    private final FreeTextDetector detector;
    private final HapiContext hapi = new DefaultHapiContext(ValidationContextFactory.noValidation());

    /** With the free-text detector on its defaults (tags). */
    public Hl7Deidentifier(PseudonymDomain domain) {
        this(domain, new FreeTextDetector(domain, FreeTextDetector.Options.defaults()));
    }

    /** @param detector the free-text detector (a profile's {@code freetext.*} lines override its options) */
    public Hl7Deidentifier(PseudonymDomain domain, FreeTextDetector detector) {
        this.domain = domain;
        this.detector = detector;
    }

    /** What free text is cleaned with: the profile's detector and whom the message is about. */
    private record FreeText(FreeTextDetector detector, FreeTextDetector.Subject subject) {
    }

    /** @param known values the engine already knows identify this patient (from the vault), scrubbed from free text too */
    public Result deidentify(String er7, Hl7Profile profile, Collection<String> known) throws HL7Exception {
        PipeParser parser = hapi.getPipeParser();
        Message message = parser.parse(er7.replace("\n", "\r").replace("\r\r", "\r"));
        EncodingCharacters encoding = EncodingCharacters.getInstance(message);
        List<Segment> segments = new ArrayList<>();
        for (Iterator<ca.uhn.hl7v2.model.Structure> it = ReadOnlyMessageIterator.createPopulatedSegmentIterator(message); it.hasNext(); ) {
            segments.add((Segment) it.next());
        }
        String facility = facility(segments.get(0), encoding);
        Optional<PatientIdentifier> patient = patient(segments, facility, encoding);
        PatientIdentifier identity = patient.isPresent() ? patient.get()
                : new PatientIdentifier("urn:carebus:message", "MSH:" + encoded(segments.get(0), 10, encoding));
        int shift = domain.dateShiftDays(identity);
        LocalDate messageDate = messageDate(segments, encoding).orElse(LocalDate.now());

        FreeTextScrubber scrubber = new FreeTextScrubber();
        known.forEach(scrubber::add);
        FreeText freeText = new FreeText(detector.with(detector.options().with(profile.settings())),
                new FreeTextDetector.Subject(identity, shift, FreeTextDetector.nameWords(personNames(segments, encoding))));
        // Each field is encoded once (HAPI's encode is most of the cost) and parsed again only when it changed.
        java.util.Map<Type, String> encodedReps = new java.util.IdentityHashMap<>();
        // First what every profiled field held, so free text anywhere in the message can be cleaned of it.
        for (Segment segment : segments) {
            for (int field = 1; field <= segment.numFields(); field++) {
                Hl7Profile.Action action = profile.action(segment.getName(), field);
                if (action == Hl7Profile.Action.KEEP || action == Hl7Profile.Action.SCRUB || action == Hl7Profile.Action.SCRUB_TEXT
                        || action == Hl7Profile.Action.SCRUB_KNOWN) {
                    continue;
                }
                for (Type rep : segment.getField(field)) {
                    String text = rep.encode();
                    encodedReps.put(rep, text);
                    if (action == Hl7Profile.Action.SHIFT || action == Hl7Profile.Action.BIRTH) {
                        scrubber.addDate(text);
                    } else {
                        scrubber.addComponents(text, encoding);
                    }
                }
            }
        }
        int changed = 0;
        for (Segment segment : segments) {
            for (int field = 1; field <= segment.numFields(); field++) {
                Hl7Profile.Action action = profile.action(segment.getName(), field);
                String observationType = action == Hl7Profile.Action.SCRUB_TEXT ? observationType(segment) : "";
                if (action == Hl7Profile.Action.KEEP || action == Hl7Profile.Action.SCRUB_TEXT && !TEXT_TYPES.contains(observationType)
                        && !CODED_TYPES.contains(observationType)) {
                    continue;
                }
                Type[] reps = segment.getField(field);
                if (reps.length == 0) {
                    continue;
                }
                if (action == Hl7Profile.Action.REMOVE) {
                    for (int i = reps.length - 1; i >= 0; i--) {
                        ((AbstractSegment) segment).removeRepetition(field, i);
                    }
                    changed++;
                    continue;
                }
                for (Type rep : reps) {
                    String before = encodedReps.containsKey(rep) ? encodedReps.get(rep) : rep.encode();
                    String after = action == Hl7Profile.Action.SCRUB || action == Hl7Profile.Action.SCRUB_TEXT
                            ? freeText(before, CODED_TYPES.contains(observationType), encoding, freeText, scrubber)
                            : apply(action, before, segment.getName(), field, encoding, identity, facility, shift, messageDate, scrubber);
                    if (!after.equals(before)) {
                        rep.parse(after);
                        changed++;
                    }
                }
            }
        }
        String out = parser.encode(message);
        // Safety net over the whole encoded message (after MSH-2): an identifying value the profile did not expect
        // somewhere (an MRN in a site-specific field) is replaced too. The values never contain delimiters, so the
        // structure stays; one pass over the text costs far less than encoding every kept field on its own.
        int afterEncodingCharacters = out.indexOf(out.charAt(3), 4) + 1;
        if (afterEncodingCharacters > 0) {
            out = out.substring(0, afterEncodingCharacters) + scrubber.scrub(out.substring(afterEncodingCharacters));
        }
        return new Result(out, patient.orElse(null), patient.map(domain::pseudonym).orElse(null), shift, changed, scrubber);
    }

    private String apply(Hl7Profile.Action action, String text, String segment, int field, EncodingCharacters enc,
                         PatientIdentifier patient, String facility, int shift, LocalDate messageDate, FreeTextScrubber scrubber) {
        String c = Character.toString(enc.getComponentSeparator());
        String[] comps = text.split(java.util.regex.Pattern.quote(c), -1);
        return switch (action) {
            case PSEUDONYM -> {
                if (comps[0].isBlank()) {
                    yield text;
                }
                // Every patient identifier (PID-2/3/4, and MRG-1/2/4: the patient an A40 merges away) gets the
                // pseudonym that identifier gets as a PID-3 of its own, with the sending facility's authority when the
                // CX names none, as the FHIR form has it: a merge names the retired patient by its own pseudonym.
                String system = authority(comps, enc);
                if (system.isEmpty()) {
                    system = AssigningAuthorities.local(facility);
                }
                String value = domain.pseudonym(new PatientIdentifier(system, comps[0].strip()));
                String type = comps.length > 4 ? comps[4] : "";
                yield value + c + c + c + "CAREBUS" + c + type;
            }
            case HASH -> comps[0].isBlank() ? text : domain.identifier(segment + "-" + field, comps[0])
                    + (comps.length > 1 ? c + "CAREBUS" : "");
            case NAME -> {
                String[] name = domain.replacementName(patient);
                yield name[0] + c + name[1];
            }
            case SHIFT -> shiftDate(comps[0], shift).map(d -> d + (comps.length > 1 ? c + String.join(c,
                    java.util.Arrays.copyOfRange(comps, 1, comps.length)) : "")).orElse("");
            case BIRTH -> shiftDate(comps[0], shift).map(d -> aggregateAge(d, comps[0], messageDate)).orElse("");
            case ADDRESS -> {
                String state = comps.length > 3 ? comps[3] : "";
                String zip = comps.length > 4 ? PseudonymDomain.zip3(comps[4]) : null;
                String country = comps.length > 5 ? comps[5] : "";
                yield c + c + c + state + c + (zip == null ? "" : zip) + c + country;
            }
            case SCRUB, SCRUB_TEXT, SCRUB_KNOWN -> scrubber.scrub(text);
            default -> text;
        };
    }

    /** CX-4 as the engine's identifier system (AssigningAuthorities, as the FHIR form has it); empty when none. */
    private static String authority(String[] comps, EncodingCharacters enc) {
        if (comps.length < 4 || comps[3].isBlank()) {
            return "";
        }
        String[] hd = comps[3].split(java.util.regex.Pattern.quote(Character.toString(enc.getSubcomponentSeparator())), -1);
        String system = AssigningAuthorities.system(hd[0], hd.length > 1 ? hd[1] : "", hd.length > 2 ? hd[2] : "");
        return system == null ? "" : system;
    }

    /**
     * The patient: the PID-3 repetition typed MR (medical record number), else the first with a value, else PID-2/PID-4;
     * its system from its authority (else the sending facility MSH-4), as the FHIR form has it.
     */
    private Optional<PatientIdentifier> patient(List<Segment> segments, String facility, EncodingCharacters enc) throws HL7Exception {
        for (Segment segment : segments) {
            if ("PID".equals(segment.getName())) {
                for (int field : new int[] {3, 2, 4}) {
                    List<Type> reps = new ArrayList<>(List.of(segment.getField(field)));
                    String cs = java.util.regex.Pattern.quote(Character.toString(enc.getComponentSeparator()));
                    reps.sort(java.util.Comparator.comparing(t -> {
                        String[] c = encodedQuietly(t).split(cs, -1);
                        return c.length > 4 && "MR".equals(c[4]) ? 0 : 1;
                    }));
                    for (Type rep : reps) {
                        String[] comps = rep.encode().split(cs, -1);
                        if (!comps[0].isBlank()) {
                            String system = authority(comps, enc);
                            return Optional.of(new PatientIdentifier(system.isEmpty() ? AssigningAuthorities.local(facility) : system,
                                    comps[0].strip()));
                        }
                    }
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The authority of identifiers that name none: the sending facility (MSH-4), else the sending application (MSH-3),
     * as the HL7v2 intake's FHIR form has it (one identifier, one system, one pseudonym in both forms).
     */
    private static String facility(Segment msh, EncodingCharacters enc) throws HL7Exception {
        String cs = java.util.regex.Pattern.quote(Character.toString(enc.getComponentSeparator()));
        String facility = encoded(msh, 4, enc).split(cs, -1)[0].strip();
        return facility.isEmpty() ? encoded(msh, 3, enc).split(cs, -1)[0].strip() : facility;
    }

    private static String encodedQuietly(Type type) {
        try {
            return type.encode();
        } catch (HL7Exception e) {
            return "";
        }
    }

    private static Optional<LocalDate> messageDate(List<Segment> segments, EncodingCharacters enc) throws HL7Exception {
        String ts = encoded(segments.get(0), 7, enc);
        return ts.length() >= 8 ? parse(ts.substring(0, 8)) : Optional.empty();
    }

    private static String encoded(Segment segment, int field, EncodingCharacters enc) throws HL7Exception {
        Type[] reps = segment.getField(field);
        return reps.length == 0 ? "" : reps[0].encode();
    }

    /** OBX-2 value types whose OBX-5 is free text: the detector reads all of it. An empty type is read as text. */
    private static final java.util.Set<String> TEXT_TYPES = java.util.Set.of("TX", "FT", "ST", "");
    /** Coded types: only their text components (2, 5, 9) are free text; codes stay as they are. */
    private static final java.util.Set<String> CODED_TYPES = java.util.Set.of("CWE", "CE", "CNE", "CF");

    /** OBX-2 (the value type) of an OBX; "" for other segments (their scrub-text fields are read as text). */
    private static String observationType(Segment segment) {
        if (!"OBX".equals(segment.getName())) {
            return "";
        }
        try {
            Type[] reps = segment.getField(2);
            return reps.length == 0 ? "" : reps[0].encode().strip().toUpperCase(java.util.Locale.ROOT);
        } catch (HL7Exception e) {
            return "";
        }
    }

    /**
     * A free-text value: the detector's findings replaced (dates shifted by the patient's offset), then every known
     * value. For a coded value only the text components go through the detector.
     */
    private static String freeText(String text, boolean coded, EncodingCharacters enc, FreeText freeText, FreeTextScrubber scrubber) {
        if (!coded) {
            return scrubber.scrub(freeText.detector().redactHl7(text, freeText.subject()));
        }
        String c = Character.toString(enc.getComponentSeparator());
        String[] comps = text.split(java.util.regex.Pattern.quote(c), -1);
        for (int i : new int[] {1, 4, 8}) {
            if (i < comps.length && !comps[i].isEmpty()) {
                comps[i] = freeText.detector().redactHl7(comps[i], freeText.subject());
            }
        }
        return scrubber.scrub(String.join(c, comps));
    }

    /** Every person's name the message holds in a name field (XPN, XCN: patient, relatives, clinicians), for the detector. */
    private static List<String> personNames(List<Segment> segments, EncodingCharacters enc) throws HL7Exception {
        List<String> names = new ArrayList<>();
        String separators = "[" + java.util.regex.Pattern.quote(Character.toString(enc.getComponentSeparator()))
                + java.util.regex.Pattern.quote(Character.toString(enc.getSubcomponentSeparator())) + "]";
        for (Segment segment : segments) {
            for (int field = 1; field <= segment.numFields(); field++) {
                for (Type rep : segment.getField(field)) {
                    String type = rep.getName();
                    if ("XPN".equals(type) || "XCN".equals(type) || "PN".equals(type) || "CN".equals(type)) {
                        String[] parts = rep.encode().split(separators, -1);
                        // XCN starts with an id; its name parts follow
                        for (int i = "XCN".equals(type) || "CN".equals(type) ? 1 : 0; i < parts.length && i < 5; i++) {
                            names.add(parts[i]);
                        }
                    }
                }
            }
        }
        return names;
    }

    /** A DT/TS/DTM value moved by the shift; its precision and time of day stay. Unreadable dates go. */
    static Optional<String> shiftDate(String value, int shift) {
        String v = value.strip();
        if (v.length() < 4) {
            return v.isEmpty() ? Optional.of("") : Optional.empty();
        }
        if (v.length() < 8) {
            // Year or year-month precision: shift the middle of the period, keep the precision.
            String padded = v.length() == 4 ? v + "0701" : v.substring(0, 6) + "15";
            return parse(padded).map(d -> d.plusDays(shift).format(V2_DATE).substring(0, v.length()));
        }
        return parse(v.substring(0, 8)).map(d -> d.plusDays(shift).format(V2_DATE) + v.substring(8));
    }

    /** Over 89 at the time of the message: the birth date becomes the year that makes the patient 90 (Safe Harbor). */
    private static String aggregateAge(String shifted, String original, LocalDate messageDate) {
        Optional<LocalDate> born = parse(original.length() >= 8 ? original.substring(0, 8) : "");
        if (born.isPresent() && java.time.Period.between(born.get(), messageDate).getYears() > 89) {
            return Integer.toString(messageDate.getYear() - 90);
        }
        return shifted;
    }

    private static Optional<LocalDate> parse(String yyyymmdd) {
        try {
            return Optional.of(LocalDate.parse(yyyymmdd, V2_DATE));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
