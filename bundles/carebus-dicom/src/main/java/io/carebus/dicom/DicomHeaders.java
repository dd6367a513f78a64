package io.carebus.dicom;

/** Camel headers set on exchanges from the DICOM gateway's routes. */
public final class DicomHeaders {

    /** The stored message id of the instance (per-instance route) or of the study's first instance. */
    public static final String MESSAGE_ID = "CareBusMessageId";
    public static final String STUDY_UID = "CareBusDicomStudyUid";
    public static final String SERIES_UID = "CareBusDicomSeriesUid";
    public static final String SOP_INSTANCE_UID = "CareBusDicomSopInstanceUid";
    public static final String SOP_CLASS_UID = "CareBusDicomSopClassUid";
    public static final String MODALITY = "CareBusDicomModality";
    /** The instance's file (a java.nio.file.Path) on the per-instance route. */
    public static final String FILE = "CareBusDicomFile";
    /** The stored message ids of the study's instances (a List of Long) on the study route. */
    public static final String MESSAGE_IDS = "CareBusDicomMessageIds";
    /** After {@code carebus:deid} on a per-instance exchange: the instance de-identified (PS3.15 Annex E), Part 10 bytes. */
    public static final String DEIDENTIFIED = "CareBusDicomDeidentified";
    /**
     * The patient as {@code system|value} (Patient ID with its issuer, as the ImagingStudy's subject names it), which
     * {@code carebus:fhir-results} takes as the results' subject; absent when the instance has no Patient ID.
     */
    public static final String SUBJECT_REFERENCE = "CareBusSubjectReference";
    /** The calling AE title that sent the instance. */
    public static final String CALLING_AE = "CareBusDicomCallingAe";

    private DicomHeaders() {
    }
}
