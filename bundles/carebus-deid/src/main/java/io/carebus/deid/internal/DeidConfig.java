package io.carebus.deid.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "CareBus de-identification", description = "Pseudonym secret, date shift range, profiles, vault")
@interface DeidConfig {

    @AttributeDefinition(description = "Id of the secret new pseudonyms are made with (1-8 letters/digits)")
    String key_id() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Secrets as id=base64 (32+ bytes), comma separated; "
            + "blank: CAREBUS_DEID_KEYS, else one generated once into data/carebus/deid-keys")
    String keys() default "";

    @AttributeDefinition(description = "Dates move by a per-patient offset within +/- this many days")
    int max_shift_days() default 365;

    @AttributeDefinition(description = "Extension URLs kept in de-identified FHIR (comma separated); all others are removed")
    String fhir_allowed_extensions() default "";

    @AttributeDefinition(description = "Folder of HL7v2 profiles (<name>.hl7.properties), relative to karaf.etc")
    String profile_directory() default "deid";

    String jdbc_url() default "";

    String jdbc_user() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD)
    String jdbc_password() default "";
}
