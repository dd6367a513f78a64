package io.carebus.api.deid;

import java.util.Locale;

/**
 * How an HL7v2 assigning authority (HD: namespace^universal id^universal id type) becomes the identifier system URI
 * the engine uses everywhere: in the FHIR form of HL7v2 messages and as the {@link PatientIdentifier#system()} of a
 * patient known from PID-3. One rule, so a patient has one pseudonym whether it arrives as HL7v2 or as FHIR.
 */
public final class AssigningAuthorities {

    /** Systems of authorities that have only a local name. */
    public static final String LOCAL_PREFIX = "urn:carebus:hl7v2:id:";

    private AssigningAuthorities() {
    }

    /** The system URI, or null when the HD is empty. */
    public static String system(String namespace, String universalId, String universalIdType) {
        String ns = namespace == null ? "" : namespace.strip();
        String uid = universalId == null ? "" : universalId.strip();
        if (!uid.isEmpty()) {
            switch ((universalIdType == null ? "" : universalIdType.strip()).toUpperCase(Locale.ROOT)) {
                case "ISO":
                    return "urn:oid:" + uid;
                case "UUID":
                    return "urn:uuid:" + uid.toLowerCase(Locale.ROOT);
                case "URI", "URL":
                    return uid;
                default:
                    break;
            }
        }
        String name = !ns.isEmpty() ? ns : uid;
        return name.isEmpty() ? null : local(name);
    }

    /** The system for an authority known only by a local name (e.g. the sending facility). */
    public static String local(String name) {
        String cleaned = name.strip().replaceAll("[^A-Za-z0-9._~-]", "-");
        return LOCAL_PREFIX + (cleaned.isEmpty() ? "unknown" : cleaned);
    }
}
