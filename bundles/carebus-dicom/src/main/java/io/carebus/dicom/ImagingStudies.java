package io.carebus.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Reference;

/**
 * DICOM to FHIR R4 ImagingStudy, the canonical form routes see for images: study UID as identifier
 * ({@code urn:dicom:uid}), subject by the DICOM Patient ID with Issuer of Patient ID (and its qualifiers) as the
 * system, read like an HL7v2 assigning authority so a patient is the same patient in every format, start, modalities, description, and each series (UID, number, modality, body site, laterality-free) with its
 * instances (UID, SOP class, number). Body parts with a well-known SNOMED CT code get it; others keep the DICOM term.
 */
public final class ImagingStudies {

    public static final String DICOM_UID = "urn:dicom:uid";
    public static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    public static final String PATIENT_ID_SYSTEM = "urn:carebus:dicom:patient-id";
    private static final String SNOMED = "http://snomed.info/sct";
    /** DICOM PS3.16 Annex L body part defined terms with their SNOMED CT codes (the common ones). */
    private static final Map<String, String[]> BODY_PARTS = Map.ofEntries(
            Map.entry("CHEST", new String[] {"51185008", "Thoracic structure"}),
            Map.entry("HEAD", new String[] {"69536005", "Head structure"}),
            Map.entry("BRAIN", new String[] {"12738006", "Brain structure"}),
            Map.entry("ABDOMEN", new String[] {"818983003", "Abdomen"}),
            Map.entry("PELVIS", new String[] {"816092008", "Pelvis"}),
            Map.entry("BREAST", new String[] {"76752008", "Breast structure"}),
            Map.entry("KNEE", new String[] {"72696002", "Knee region structure"}),
            Map.entry("SPINE", new String[] {"421060004", "Structure of vertebral column"}),
            Map.entry("NECK", new String[] {"45048000", "Neck structure"}),
            Map.entry("HEART", new String[] {"80891009", "Heart structure"}),
            Map.entry("LUNG", new String[] {"39607008", "Lung structure"}),
            Map.entry("HAND", new String[] {"85562004", "Hand structure"}),
            Map.entry("FOOT", new String[] {"56459004", "Foot structure"}));

    private ImagingStudies() {
    }

    /** The header of one instance, as read for the mapping (pixel data not read). */
    public record Header(DicomInstance instance, io.carebus.api.deid.PatientIdentifier patient, String studyDate, String studyTime,
                         String timezoneOffset, String studyDescription, String accessionNumber, String seriesNumber, String seriesDescription,
                         String bodyPart, String instanceNumber) {
    }

    public static Header header(DicomInstance instance) throws IOException {
        AttributeList list = readHeader(instance.file());
        return new Header(instance, DicomDeidentifier.patient(list),
                value(list, TagFromName.StudyDate), value(list, TagFromName.StudyTime), value(list, TagFromName.TimezoneOffsetFromUTC),
                value(list, TagFromName.StudyDescription),
                value(list, TagFromName.AccessionNumber), value(list, TagFromName.SeriesNumber),
                value(list, TagFromName.SeriesDescription), value(list, TagFromName.BodyPartExamined),
                value(list, TagFromName.InstanceNumber));
    }

    static AttributeList readHeader(Path file) throws IOException {
        AttributeList list = new AttributeList();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
             DicomInputStream dicom = new DicomInputStream(in)) {
            list.read(dicom, TagFromName.PixelData);
        } catch (DicomException e) {
            throw new IOException("cannot read DICOM header of " + file.getFileName() + ": " + e.getMessage(), e);
        }
        return list;
    }

    private static String value(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    /** The patient identifier ({@code system|value}) the study's subject names, for indexing the stored messages. */
    public static String patientIdentifier(Header header) {
        return header.patient() == null ? "|" : header.patient().system() + "|" + header.patient().value();
    }

    /** One ImagingStudy from the headers of one study's instances (any order). */
    public static ImagingStudy of(List<Header> headers) {
        if (headers.isEmpty()) {
            throw new IllegalArgumentException("no instances");
        }
        Header first = headers.get(0);
        ImagingStudy study = new ImagingStudy();
        study.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
        study.addIdentifier(new Identifier().setSystem(DICOM_UID).setValue("urn:oid:" + first.instance().studyInstanceUid()));
        if (!first.accessionNumber().isEmpty()) {
            study.addIdentifier(new Identifier().setValue(first.accessionNumber())
                    .setType(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(new Coding(
                            "http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN", "Accession ID"))));
        }
        Reference subject = new Reference();
        if (first.patient() != null) {
            subject.setIdentifier(new Identifier().setSystem(first.patient().system()).setValue(first.patient().value()));
        } else {
            subject.setDisplay("unknown patient (no Patient ID in the DICOM header)");
        }
        study.setSubject(subject);
        DateTimeType started = started(first.studyDate(), first.studyTime(), first.timezoneOffset(), ZoneId.systemDefault());
        if (started != null) {
            study.setStartedElement(started);
        }
        if (!first.studyDescription().isEmpty()) {
            study.setDescription(first.studyDescription());
        }
        Map<String, ImagingStudy.ImagingStudySeriesComponent> series = new LinkedHashMap<>();
        Set<String> modalities = new LinkedHashSet<>();
        for (Header header : headers) {
            DicomInstance instance = header.instance();
            ImagingStudy.ImagingStudySeriesComponent s = series.computeIfAbsent(instance.seriesInstanceUid(), uid -> {
                ImagingStudy.ImagingStudySeriesComponent created = new ImagingStudy.ImagingStudySeriesComponent();
                created.setUid(uid);
                created.setModality(new Coding(DCM, instance.modality().isEmpty() ? "OT" : instance.modality(), null));
                integer(header.seriesNumber(), created::setNumber);
                if (!header.seriesDescription().isEmpty()) {
                    created.setDescription(header.seriesDescription());
                }
                if (!header.bodyPart().isEmpty()) {
                    String[] snomed = BODY_PARTS.get(header.bodyPart().toUpperCase(java.util.Locale.ROOT));
                    created.setBodySite(snomed != null ? new Coding(SNOMED, snomed[0], snomed[1]) : new Coding().setDisplay(header.bodyPart()));
                }
                return created;
            });
            if (!instance.modality().isEmpty()) {
                modalities.add(instance.modality());
            }
            ImagingStudy.ImagingStudySeriesInstanceComponent i = s.addInstance();
            i.setUid(instance.sopInstanceUid());
            i.setSopClass(new Coding("urn:ietf:rfc:3986", "urn:oid:" + instance.sopClassUid(), null));
            integer(header.instanceNumber(), i::setNumber);
        }
        for (String modality : modalities) {
            study.addModality(new Coding(DCM, modality, null));
        }
        series.values().forEach(s -> s.setNumberOfInstances(s.getInstance().size()));
        study.setSeries(List.copyOf(series.values()));
        study.setNumberOfSeries(series.size());
        study.setNumberOfInstances(headers.size());
        return study;
    }

    private static void integer(String value, java.util.function.IntConsumer set) {
        try {
            if (!value.isEmpty()) {
                set.accept(Integer.parseInt(value.strip()));
            }
        } catch (NumberFormatException ignored) {
            // IS values that are not integers are left out
        }
    }

    /**
     * Study Date and Time as FHIR {@code started}: a date alone stays a date (no invented midnight); a time (DICOM TM:
     * HH, HHMM or HHMMSS.FFFFFF, also the ACR-NEMA HH:MM:SS) is read at its own precision, padded to seconds as FHIR
     * requires, in the zone the header gives in Timezone Offset From UTC, else the appliance's zone (DICOM times are
     * the site's local time). Values that are not dates or times are left out rather than guessed.
     */
    static DateTimeType started(String date, String time, String offset, ZoneId localZone) {
        String digits = date.trim().replace(".", "");
        LocalDate day;
        try {
            day = digits.matches("[0-9]{8}") ? LocalDate.parse(digits, DateTimeFormatter.BASIC_ISO_DATE) : null;
        } catch (DateTimeException e) {
            day = null;
        }
        if (day == null) {
            return null;
        }
        String clock = time.trim().replace(":", "");
        if (!clock.matches("[0-9]{2}([0-9]{2}([0-9]{2}(\\.[0-9]{1,6})?)?)?")) {
            return new DateTimeType(day.toString());
        }
        try {
            int hour = Integer.parseInt(clock.substring(0, 2));
            int minute = clock.length() >= 4 ? Integer.parseInt(clock.substring(2, 4)) : 0;
            // TM allows 60 for a leap second; java.time does not
            int second = clock.length() >= 6 ? Math.min(Integer.parseInt(clock.substring(4, 6)), 59) : 0;
            LocalDateTime at = LocalDateTime.of(day, LocalTime.of(hour, minute, second));
            String given = offset.trim();
            ZoneOffset zone = given.matches("[+-][0-9]{4}")
                    ? ZoneOffset.ofHoursMinutes(Integer.parseInt(given.substring(0, 3)),
                            Integer.parseInt(given.charAt(0) + given.substring(3)))
                    : localZone.getRules().getOffset(at);
            return new DateTimeType(at.atOffset(zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        } catch (DateTimeException | NumberFormatException e) {
            return new DateTimeType(day.toString());
        }
    }
}
