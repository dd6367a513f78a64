package io.carebus.api.deid;

/**
 * A patient identifier as issued: the assigning authority ({@code system}, a URI or HL7 assigning authority) and the
 * value. Deliberately no {@code toString} with the value, so that it cannot leak into a log line by accident.
 */
public record PatientIdentifier(String system, String value) {

    public PatientIdentifier {
        if (system == null || system.isBlank() || value == null || value.isBlank()) {
            throw new IllegalArgumentException("a patient identifier needs a system and a value");
        }
    }

    @Override
    public String toString() {
        return "PatientIdentifier[system=" + system + ", value=<redacted>]";
    }
}
