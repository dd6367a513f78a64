package io.carebus.deid.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus de-identification", description = "Pseudonym secret, date shift range, profiles, vault")
@interface DeidConfig {

    @AttributeDefinition(description = "Id of the secret new pseudonyms are made with (1-8 letters/digits)")
    String key_id() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Secrets as id=base64 (32+ bytes), comma separated; "
            + "blank: CAREBUS_DEID_KEYS, else the file deid-keys in key.directory (generated once, owner-only)")
    String keys() default "";

    @AttributeDefinition(description = "Folder of the generated secret (deid-keys); keep it off the database's volume and "
            + "back it up separately. Blank: data/carebus")
    String key_directory() default "";

    @AttributeDefinition(description = "Dates move by a per-patient offset within +/- this many days")
    int max_shift_days() default 365;

    @AttributeDefinition(description = "Extension URLs kept in de-identified FHIR (comma separated); all others are removed")
    String fhir_allowed_extensions() default "";

    @AttributeDefinition(description = "Folder of HL7v2 profiles (<name>.hl7.properties), relative to karaf.etc")
    String profile_directory() default "deid";

    @AttributeDefinition(description = "DICOM (PS3.15 Annex E): Retain Longitudinal Temporal Information with Modified Dates (dates shifted by the patient's offset); false = dates removed")
    boolean dicom_retain_longitudinal_dates() default true;

    @AttributeDefinition(description = "DICOM: Retain Patient Characteristics Option (sex, age (over 89 as 090Y), size, weight)")
    boolean dicom_retain_patient_characteristics() default true;

    @AttributeDefinition(description = "DICOM: Clean Descriptors Option (descriptions kept, identifiers in them replaced); false = removed")
    boolean dicom_clean_descriptors() default false;

    @AttributeDefinition(description = "DICOM: Retain Device Identity Option")
    boolean dicom_retain_device_identity() default false;

    @AttributeDefinition(description = "DICOM: private creators whose private attributes are kept (comma separated); all others are removed")
    String dicom_private_creators_allowed() default "";

    @AttributeDefinition(description = "DICOM: Burned In Annotation = YES: REJECT, or MASK the regions in dicom.mask.regions")
    String dicom_burned_in() default "REJECT";

    @AttributeDefinition(description = "DICOM: pixel regions to mask, x,y,width,height separated by ';' (e.g. 0,0,512,40)")
    String dicom_mask_regions() default "";

    @AttributeDefinition(description = "Free-text detection (phones, e-mail, URLs, IPs, SSNs, record numbers, dates shifted, "
            + "addresses, ZIP codes, ages over 89, names after cue words) in HL7v2 text fields, FHIR strings/markdown and DICOM "
            + "descriptions; false = only the values known from structured fields are removed")
    boolean freetext_enabled() default true;

    @AttributeDefinition(description = "What replaces a found identifier: tags ([NAME], [PHONE], ...) or surrogates (keyed "
            + "stand-ins from the pseudonym domain); dates are always shifted, ZIP codes keep 3 digits, ages over 89 become 90+")
    String freetext_replacement() default "tags";

    @AttributeDefinition(description = "Characters of one field examined by the detector; the rest of a longer field is replaced whole")
    int freetext_max_chars() default 65536;
}
