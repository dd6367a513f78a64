package io.carebus.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.ClinicalTrialsAttributes;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.ValueRepresentation;
import io.carebus.api.deid.AssigningAuthorities;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.api.deid.Pseudonymizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile with the keyed pseudonym domain shared with
 * HL7v2 and FHIR. PixelMed's implementation of the Annex E table (ClinicalTrialsAttributes) removes or empties the
 * identifying attributes, recursively; CareBus adds what the pseudonym domain must decide and PixelMed does not:
 * <ul>
 *   <li>the patient: Patient ID = the pseudonym, Patient's Name = the replacement name (both as in HL7v2 and FHIR),
 *       the patient's identity taken from Patient ID with Issuer of Patient ID (and its qualifiers) read like an HL7v2
 *       assigning authority, so one patient has one pseudonym in every format;</li>
 *   <li>UIDs: every UID not under the DICOM root (1.2.840.10008) replaced, in nested sequences too, by the domain's
 *       keyed 2.25 UID, so instances of one study stay one study across appliance restarts and machines (PixelMed's
 *       own UID map lives in one JVM);</li>
 *   <li>dates: with Retain Longitudinal Temporal Information with Modified Dates, every DA and DT shifted by the
 *       patient's own day offset (the HL7v2/FHIR one) and Longitudinal Temporal Information Modified = MODIFIED;
 *       without it, PixelMed removes them;</li>
 *   <li>Patient's Age over 89 years aggregated to 090Y (HIPAA Safe Harbor) when patient characteristics are kept;</li>
 *   <li>private attributes removed unless their private creator is allow-listed;</li>
 *   <li>Clean Descriptors: descriptions kept, free text in them (ST, LT, UT values and LO/SH descriptions, comments,
 *       reasons, histories) passed through the engine's free-text detector ({@link TextCleaner}: the same one HL7v2
 *       and FHIR text goes through, so the same note gets the same replacements), then every occurrence of the
 *       patient's name parts, ids and accession number replaced;</li>
 *   <li>Burned In Annotation = YES: refused by default, or configured pixel regions masked (uncompressed pixel data);</li>
 *   <li>Patient Identity Removed = YES, De-identification Method and its Code Sequence (DCM 113100 and one code per
 *       option).</li>
 * </ul>
 */
public final class DicomDeidentifier {

    private static final String DICOM_ROOT = "1.2.840.10008.";
    private static final Pattern DATE = Pattern.compile("\\d{8}");
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    /** What to do with an image whose pixels carry burned-in text. */
    public enum BurnedIn { REJECT, MASK }

    /** The profile's options (PS3.15 Table E.1-1) and CareBus's own choices. */
    public record Options(boolean retainLongitudinalModifiedDates, boolean retainPatientCharacteristics, boolean cleanDescriptors,
                          boolean retainDeviceIdentity, Set<String> allowedPrivateCreators, BurnedIn burnedIn,
                          List<int[]> maskRegions) {
        public Options {
            allowedPrivateCreators = Set.copyOf(allowedPrivateCreators);
            maskRegions = List.copyOf(maskRegions);
        }

        /** The Basic profile with modified dates kept longitudinal (what model training and follow-up need). */
        public static Options defaults() {
            return new Options(true, true, false, false, Set.of(), BurnedIn.REJECT, List.of());
        }
    }

    /**
     * The de-identified file (Part 10), the patient's pseudonym and real identifier, the identifying values the header
     * held (names, ids; for the vault, so later free text about this patient is scrubbed of them too), and a count.
     */
    public record Result(byte[] part10, String pseudonym, PatientIdentifier patient, Set<String> identifyingValues, int changed) {
    }

    /** The image cannot be de-identified safely under the options (e.g. burned-in annotation). */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Cleans free text the profile keeps (descriptions, comments): the engine's shared free-text detector, given whom
     * the instance is about (null when no Patient ID), that patient's date shift and the identifying phrases the
     * header held (names, ids). CareBus's de-identification bundle provides it; this bundle cannot depend on that one.
     */
    @FunctionalInterface
    public interface TextCleaner {

        /** Leaves text as it is (only the known phrases are replaced). */
        TextCleaner NONE = (text, patient, shiftDays, knownPhrases) -> text;

        String clean(String text, PatientIdentifier patient, int shiftDays, Set<String> knownPhrases);
    }

    private final Pseudonymizer pseudonyms;
    private final TextCleaner textCleaner;

    public DicomDeidentifier(Pseudonymizer pseudonyms) {
        this(pseudonyms, TextCleaner.NONE);
    }

    public DicomDeidentifier(Pseudonymizer pseudonyms, TextCleaner textCleaner) {
        this.pseudonyms = pseudonyms;
        this.textCleaner = textCleaner;
    }

    /** The patient a DICOM header names, as the engine identifies patients everywhere; null without a Patient ID. */
    public static PatientIdentifier patientOf(byte[] part10) throws IOException {
        return patient(read(part10, true));
    }

    public Result deidentify(byte[] part10, Options options) throws IOException, RefusedException {
        return deidentify(part10, options, Set.of());
    }

    /** @param knownValues identifying values known about this patient from elsewhere (the vault), cleaned from kept text too */
    public Result deidentify(byte[] part10, Options options, Set<String> knownValues) throws IOException, RefusedException {
        AttributeList list = read(part10, false);
        String syntax = string(list, TagFromName.TransferSyntaxUID);
        if (syntax.isEmpty()) {
            syntax = "1.2.840.10008.1.2.1";
        }
        AttributeList before = (AttributeList) list.clone();
        PatientIdentifier patient = patient(list);
        Set<String> seen = identifyingPhrases(list);
        Set<String> phrases = new LinkedHashSet<>(seen);
        knownValues.stream().filter(v -> v != null && v.strip().length() >= 2).forEach(v -> phrases.add(v.strip()));
        try {
            if ("YES".equalsIgnoreCase(string(list, TagFromName.BurnedInAnnotation))) {
                if (options.burnedIn() == BurnedIn.REJECT || options.maskRegions().isEmpty()) {
                    throw new RefusedException("Burned In Annotation is YES: the pixels may show identifiers (configure mask "
                            + "regions to accept such images)");
                }
                mask(list, options.maskRegions(), syntax);
            }
            removePrivate(list, options.allowedPrivateCreators());
            ClinicalTrialsAttributes.removeOrNullIdentifyingAttributes(list, ClinicalTrialsAttributes.HandleUIDs.keep,
                    options.cleanDescriptors(), options.cleanDescriptors(), options.cleanDescriptors(),
                    options.retainPatientCharacteristics(), options.retainDeviceIdentity(), false,
                    options.retainLongitudinalModifiedDates() ? ClinicalTrialsAttributes.HandleDates.keep
                            : ClinicalTrialsAttributes.HandleDates.remove, null, null);
            int shift = patient == null ? 0 : pseudonyms.dateShiftDays(patient);
            walk(list, options, patient, shift, phrases);
            String pseudonym = patient == null ? null : pseudonyms.pseudonym(patient);
            put(list, new LongStringAttribute(TagFromName.PatientID), pseudonym == null ? "" : pseudonym);
            list.remove(TagFromName.IssuerOfPatientID);
            list.remove(TagFromName.IssuerOfPatientIDQualifiersSequence);
            String[] name = patient == null ? new String[] {"Anonymous", ""} : pseudonyms.replacementName(patient);
            put(list, new PersonNameAttribute(TagFromName.PatientName), name[0] + "^" + name[1]);
            if (options.retainLongitudinalModifiedDates()) {
                put(list, new CodeStringAttribute(TagFromName.LongitudinalTemporalInformationModified), "MODIFIED");
            }
            if (options.retainPatientCharacteristics()) {
                String age = string(list, TagFromName.PatientAge);
                if (age.matches("\\d{3}Y") && Integer.parseInt(age.substring(0, 3)) > 89) {
                    put(list, new com.pixelmed.dicom.AgeStringAttribute(TagFromName.PatientAge), "090Y");
                }
            }
            put(list, new CodeStringAttribute(TagFromName.PatientIdentityRemoved), "YES");
            methods(list, options);
            list.removeGroupLengthAttributes();
            list.removeMetaInformationHeaderAttributes();
            FileMetaInformation.addFileMetaInformation(list, syntax, "CAREBUS");
            ByteArrayOutputStream out = new ByteArrayOutputStream(part10.length);
            list.write(out, syntax, true, true);
            return new Result(out.toByteArray(), pseudonym, patient, Set.copyOf(seen), changed(before, list));
        } catch (DicomException e) {
            throw new IOException("cannot de-identify: " + e.getMessage(), e);
        }
    }

    private static AttributeList read(byte[] part10, boolean headerOnly) throws IOException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            if (headerOnly) {
                list.read(in, TagFromName.PixelData);
            } else {
                long end = list.read(in);
                if (end != part10.length) {
                    throw new IOException("the data set ends unreadably at byte " + end + " of " + part10.length);
                }
            }
        } catch (DicomException e) {
            throw new IOException("not a readable DICOM file: " + e.getMessage(), e);
        }
        return list;
    }

    static PatientIdentifier patient(AttributeList list) {
        String id = string(list, TagFromName.PatientID);
        if (id.isEmpty()) {
            return null;
        }
        String universal = "";
        String universalType = "";
        Attribute qualifiers = list.get(TagFromName.IssuerOfPatientIDQualifiersSequence);
        if (qualifiers instanceof SequenceAttribute s && s.getNumberOfItems() > 0) {
            AttributeList q = s.getItem(0).getAttributeList();
            universal = string(q, new AttributeTag(0x0040, 0x0032));
            universalType = string(q, new AttributeTag(0x0040, 0x0033));
        }
        String system = AssigningAuthorities.system(string(list, TagFromName.IssuerOfPatientID), universal, universalType);
        return new PatientIdentifier(system == null ? ImagingStudies.PATIENT_ID_SYSTEM : system, id);
    }

    /** Values that must not survive in kept text: the patient's name parts, ids, accession number, physicians. */
    private static Set<String> identifyingPhrases(AttributeList list) {
        Set<String> phrases = new LinkedHashSet<>();
        for (AttributeTag tag : new AttributeTag[] {TagFromName.PatientName, TagFromName.ReferringPhysicianName,
                TagFromName.PerformingPhysicianName, TagFromName.OperatorsName, TagFromName.OtherPatientNames}) {
            for (String value : string(list, tag).split("[\\^\\\\=]")) {
                if (value.strip().length() >= 2) {
                    phrases.add(value.strip());
                }
            }
        }
        for (AttributeTag tag : new AttributeTag[] {TagFromName.PatientID, TagFromName.AccessionNumber, TagFromName.OtherPatientIDs,
                TagFromName.StudyID, TagFromName.InstitutionName}) {
            String value = string(list, tag);
            if (value.strip().length() >= 2) {
                phrases.add(value.strip());
            }
        }
        return phrases;
    }

    /** UIDs remapped, dates shifted, kept text cleaned: the whole data set, sequences included. */
    private void walk(AttributeList list, Options options, PatientIdentifier patient, int shift, Set<String> phrases)
            throws DicomException {
        for (Attribute attribute : new ArrayList<>(list.values())) {
            byte[] vr = attribute.getVR();
            AttributeTag tag = attribute.getTag();
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    SequenceItem item = sequence.getItem(i);
                    walk(item.getAttributeList(), options, patient, shift, phrases);
                }
                continue;
            }
            boolean uid = ValueRepresentation.isUniqueIdentifierVR(vr);
            boolean date = ValueRepresentation.isDateVR(vr) || ValueRepresentation.isDateTimeVR(vr);
            boolean text = ValueRepresentation.isLongStringVR(vr) || ValueRepresentation.isShortTextVR(vr)
                    || ValueRepresentation.isLongTextVR(vr) || ValueRepresentation.isShortStringVR(vr)
                    || ValueRepresentation.isUnlimitedTextVR(vr);
            if (tag.getGroup() == 0x0002 || !(uid || date || text)) {
                continue;
            }
            String[] values = attribute.getStringValues();
            if (values == null || values.length == 0) {
                continue;
            }
            boolean changed = false;
            if (uid) {
                for (int i = 0; i < values.length; i++) {
                    String v = values[i].strip();
                    if (!v.isEmpty() && !v.startsWith(DICOM_ROOT)) {
                        values[i] = pseudonyms.uid(v);
                        changed = true;
                    }
                }
            } else if (date && options.retainLongitudinalModifiedDates()) {
                for (int i = 0; i < values.length; i++) {
                    String v = values[i].strip();
                    if (v.length() >= 8 && DATE.matcher(v.substring(0, 8)).matches()) {
                        try {
                            values[i] = LocalDate.parse(v.substring(0, 8), DA).plusDays(shift).format(DA) + v.substring(8);
                            changed = true;
                        } catch (DateTimeParseException e) {
                            values[i] = "";
                            changed = true;
                        }
                    }
                }
            } else if (text) {
                boolean freeText = freeText(tag, vr);
                for (int i = 0; i < values.length; i++) {
                    String cleaned = freeText && textCleaner != TextCleaner.NONE ? textCleaner.clean(values[i], patient, shift, phrases)
                            : values[i];
                    for (String phrase : phrases) {
                        cleaned = cleaned.replaceAll("(?i)" + Pattern.quote(phrase), "*");
                    }
                    if (!cleaned.equals(values[i])) {
                        values[i] = cleaned;
                        changed = true;
                    }
                }
            }
            if (changed) {
                attribute.removeValues();
                for (String v : values) {
                    attribute.addValue(v);
                }
            }
        }
    }

    /** Words in an attribute's name that make its LO/SH value free text a person wrote. */
    private static final List<String> FREE_TEXT_NAMES = List.of("Description", "Comment", "Reason", "History", "Remark", "Note");

    /** ST, LT and UT are free text; LO and SH only when they are descriptions, comments, reasons or histories. */
    private static boolean freeText(AttributeTag tag, byte[] vr) {
        if (ValueRepresentation.isShortTextVR(vr) || ValueRepresentation.isLongTextVR(vr) || ValueRepresentation.isUnlimitedTextVR(vr)) {
            return true;
        }
        String name = AttributeList.getDictionary().getNameFromTag(tag);
        return name != null && FREE_TEXT_NAMES.stream().anyMatch(name::contains);
    }

    private static void removePrivate(AttributeList list, Set<String> allowedCreators) {
        for (Attribute attribute : new ArrayList<>(list.values())) {
            AttributeTag tag = attribute.getTag();
            if (tag.isPrivate()) {
                String creator = tag.isPrivateCreator() ? Attribute.getSingleStringValueOrEmptyString(attribute).strip()
                        : list.getPrivateCreatorString(tag).strip();
                if (!allowedCreators.contains(creator)) {
                    list.remove(tag);
                    continue;
                }
            }
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    removePrivate(sequence.getItem(i).getAttributeList(), allowedCreators);
                }
            }
        }
    }

    private static void mask(AttributeList list, List<int[]> regions, String syntax) throws RefusedException, DicomException {
        if (!syntax.equals("1.2.840.10008.1.2") && !syntax.equals("1.2.840.10008.1.2.1")) {
            throw new RefusedException("burned-in annotation can be masked in uncompressed images only (this one is " + syntax + ")");
        }
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        int samples = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1);
        int frames = Math.max(1, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1));
        Attribute pixels = list.get(TagFromName.PixelData);
        if (pixels == null || rows == 0 || columns == 0) {
            return;
        }
        boolean words = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16) > 8;
        short[] shorts = words ? pixels.getShortValues() : null;
        byte[] bytes = words ? null : pixels.getByteValues();
        for (int f = 0; f < frames; f++) {
            for (int[] r : regions) {
                for (int y = Math.max(0, r[1]); y < Math.min(rows, r[1] + r[3]); y++) {
                    for (int x = Math.max(0, r[0]); x < Math.min(columns, r[0] + r[2]); x++) {
                        for (int s = 0; s < samples; s++) {
                            int at = ((f * rows + y) * columns + x) * samples + s;
                            if (words) {
                                shorts[at] = 0;
                            } else {
                                bytes[at] = 0;
                            }
                        }
                    }
                }
            }
        }
        if (words) {
            pixels.setValues(shorts);
        } else {
            pixels.setValues(bytes);
        }
        put(list, new CodeStringAttribute(TagFromName.BurnedInAnnotation), "NO");
    }

    private static void methods(AttributeList list, Options options) throws DicomException {
        List<String[]> codes = new ArrayList<>();
        codes.add(new String[] {"113100", "Basic Application Confidentiality Profile"});
        if (options.retainLongitudinalModifiedDates()) {
            codes.add(new String[] {"113107", "Retain Longitudinal Temporal Information Modified Dates Option"});
        }
        if (options.retainPatientCharacteristics()) {
            codes.add(new String[] {"113108", "Retain Patient Characteristics Option"});
        }
        if (options.retainDeviceIdentity()) {
            codes.add(new String[] {"113109", "Retain Device Identity Option"});
        }
        if (options.cleanDescriptors()) {
            codes.add(new String[] {"113105", "Clean Descriptors Option"});
        }
        SequenceAttribute sequence = new SequenceAttribute(TagFromName.DeidentificationMethodCodeSequence);
        StringBuilder method = new StringBuilder("CareBus PS3.15 E.1");
        for (String[] code : codes) {
            AttributeList item = new AttributeList();
            put(item, new ShortStringAttribute(TagFromName.CodeValue), code[0]);
            put(item, new ShortStringAttribute(TagFromName.CodingSchemeDesignator), "DCM");
            put(item, new LongStringAttribute(TagFromName.CodeMeaning), code[1]);
            sequence.addItem(item);
            method.append(' ').append(code[0]);
        }
        list.put(sequence);
        put(list, new LongStringAttribute(TagFromName.DeidentificationMethod), method.toString());
    }

    private static int changed(AttributeList before, AttributeList after) {
        int changed = 0;
        Set<AttributeTag> tags = new LinkedHashSet<>(before.keySet());
        tags.addAll(after.keySet());
        for (AttributeTag tag : tags) {
            if (tag.getGroup() == 0x0002 || tag.equals(TagFromName.PixelData)) {
                continue;
            }
            Attribute a = before.get(tag);
            Attribute b = after.get(tag);
            String va = a == null ? null : a.getDelimitedStringValuesOrEmptyString();
            String vb = b == null ? null : b.getDelimitedStringValuesOrEmptyString();
            if (va == null ? vb != null : !va.equals(vb)) {
                changed++;
            }
        }
        return changed;
    }

    private static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    /** For logs: which options, in words. */
    public static String describe(Options options) {
        return String.format(Locale.ROOT, "longitudinal dates %s, patient characteristics %s, clean descriptors %s, device identity %s",
                options.retainLongitudinalModifiedDates(), options.retainPatientCharacteristics(), options.cleanDescriptors(),
                options.retainDeviceIdentity());
    }
}
