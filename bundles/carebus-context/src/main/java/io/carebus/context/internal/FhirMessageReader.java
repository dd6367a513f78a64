package io.carebus.context.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a FHIR R4 resource or Bundle (JSON) into a {@link ClinicalMessage}: Observations, the Patient's birth date and
 * gender, Conditions and Encounters. Read with Jackson rather than HAPI: only a few elements matter, and a message
 * with an element HAPI would refuse still has usable vital signs.
 */
final class FhirMessageReader {

    static final String FHIR_ID_SYSTEM = "urn:carebus:fhir-id";
    static final String HASH_SYSTEM = "urn:carebus:context";
    /** carebus:deid's pseudonym system (FhirDeidentifier.PSEUDONYM_SYSTEM): its values are the subjects after de-identification. */
    static final String PSEUDONYM_SYSTEM = "urn:carebus:pseudonym";
    static final int MAX_MERGED_KEYS = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private FhirMessageReader() {
    }

    /**
     * @param subjectHeader the subject key the route already knows (a pseudonym), or null to take it from the message
     * @return empty when the message names no subject (nothing can be filed)
     */
    static Optional<ClinicalMessage> read(String fhirJson, String subjectHeader) throws IOException {
        JsonNode root = JSON.readTree(fhirJson);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("carebus:context needs FHIR JSON (a resource or a Bundle)");
        }
        List<JsonNode> resources = new ArrayList<>();
        Map<String, JsonNode> byUrl = new java.util.HashMap<>();
        // the first Patient is the message's patient (as carebus:deid chooses it), known by these references
        JsonNode firstPatient = null;
        Set<String> firstPatientUrls = new HashSet<>();
        if ("Bundle".equals(root.path("resourceType").asText())) {
            for (JsonNode entry : root.path("entry")) {
                JsonNode r = entry.path("resource");
                if (r.isObject()) {
                    resources.add(r);
                    boolean first = firstPatient == null && "Patient".equals(r.path("resourceType").asText());
                    if (first) {
                        firstPatient = r;
                    }
                    if (entry.hasNonNull("fullUrl")) {
                        byUrl.put(entry.path("fullUrl").asText(), r);
                        if (first) {
                            firstPatientUrls.add(entry.path("fullUrl").asText());
                        }
                    }
                    if (r.hasNonNull("id")) {
                        byUrl.put(r.path("resourceType").asText() + "/" + r.path("id").asText(), r);
                        if (first) {
                            firstPatientUrls.add("Patient/" + r.path("id").asText());
                        }
                    }
                }
            }
        } else {
            resources.add(root);
            if ("Patient".equals(root.path("resourceType").asText())) {
                firstPatient = root;
            }
        }
        String subject = subjectHeader != null && !subjectHeader.isBlank() ? subjectHeader : subjectOf(resources, byUrl);
        if (subject == null) {
            return Optional.empty();
        }
        subject = bounded(subject);
        Set<String> replaces = firstPatient == null ? Set.of() : replaced(firstPatient, firstPatientUrls, resources, byUrl, subject);
        Optional<ClinicalMessage.Demographics> patient = Optional.empty();
        List<ClinicalMessage.ObservationFact> observations = new ArrayList<>();
        List<ClinicalMessage.ConditionFact> conditions = new ArrayList<>();
        List<ClinicalMessage.EncounterFact> encounters = new ArrayList<>();
        for (JsonNode r : resources) {
            switch (r.path("resourceType").asText()) {
                case "Patient" -> {
                    if (patient.isEmpty()) {
                        patient = Optional.of(new ClinicalMessage.Demographics(text(r, "birthDate"), text(r, "gender")));
                    }
                }
                case "Observation" -> observation(subject, r).ifPresent(observations::add);
                case "Condition" -> conditions.add(new ClinicalMessage.ConditionFact(key(r, subject, conditionIdentity(r), null),
                        firstCode(r.path("code")), firstCode(r.path("clinicalStatus")), firstCode(r.path("verificationStatus")),
                        instant(r.path("onsetDateTime")).orElse(instant(r.path("onsetPeriod").path("start")).orElse(null))));
                case "Encounter" -> encounters.add(new ClinicalMessage.EncounterFact(key(r, subject, null, null),
                        r.path("class").path("code").asText(null), text(r, "status"),
                        instant(r.path("period").path("start")).orElse(null), instant(r.path("period").path("end")).orElse(null)));
                default -> {
                    // other resources (DiagnosticReport, Provenance, ...) carry nothing a feature is computed from
                }
            }
        }
        return Optional.of(new ClinicalMessage(subject, patient, observations, conditions, encounters, replaces));
    }

    /** A subject key fits the 255 characters of the subject columns; a longer one stays unique as its hash. */
    private static String bounded(String subject) {
        return subject.length() <= 255 ? subject : HASH_SYSTEM + "|" + sha256(subject).substring(0, 32);
    }

    /**
     * A merge (ADT^A40, A34, A18 through the HL7v2 mapping; or a FHIR Patient so linked): the subject keys of the
     * patients the message's Patient replaces, by its {@code link} of type {@code replaces}, or another Patient's
     * {@code replaced-by} link to it. Each retired patient is named by every key it could have been filed under:
     * {@code system|value} of each identifier, the bare value of a pseudonym (what carebus:deid puts in
     * {@code CareBusSubject}), its id. Never the subject itself (an MRG that names the survivor moves nothing).
     */
    private static Set<String> replaced(JsonNode survivor, Set<String> survivorUrls, List<JsonNode> resources,
                                        Map<String, JsonNode> byUrl, String subject) {
        Set<String> keys = new TreeSet<>();
        for (JsonNode link : survivor.path("link")) {
            if ("replaces".equals(link.path("type").asText())) {
                JsonNode other = link.path("other");
                String reference = other.path("reference").asText(null);
                JsonNode retired = reference == null ? null : byUrl.get(reference);
                if (retired != null && retired != survivor) {
                    patientKeys(retired, keys);
                } else if (reference != null && retired == null) {
                    keys.add(FHIR_ID_SYSTEM + "|" + reference);
                }
                identifierKeys(other.path("identifier"), keys);
            }
        }
        for (JsonNode r : resources) {
            if (r == survivor || !"Patient".equals(r.path("resourceType").asText())) {
                continue;
            }
            for (JsonNode link : r.path("link")) {
                if ("replaced-by".equals(link.path("type").asText()) && survivorUrls.contains(link.path("other").path("reference").asText(""))) {
                    patientKeys(r, keys);
                }
            }
        }
        Set<String> bounded = new TreeSet<>();
        for (String key : keys) {
            bounded.add(bounded(key));
        }
        bounded.remove(subject);
        // A hostile message could name thousands of identifiers: a merge names a few.
        return bounded.size() <= MAX_MERGED_KEYS ? bounded : new TreeSet<>(List.copyOf(bounded).subList(0, MAX_MERGED_KEYS));
    }

    private static void patientKeys(JsonNode patient, Set<String> into) {
        for (JsonNode id : patient.path("identifier")) {
            identifierKeys(id, into);
        }
        if (patient.hasNonNull("id")) {
            into.add(FHIR_ID_SYSTEM + "|Patient/" + patient.path("id").asText());
        }
    }

    private static void identifierKeys(JsonNode id, Set<String> into) {
        if (!id.hasNonNull("value") || id.path("value").asText().isBlank()) {
            return;
        }
        String system = id.path("system").asText("");
        into.add(system + "|" + id.path("value").asText());
        if (PSEUDONYM_SYSTEM.equals(system)) {
            into.add(id.path("value").asText());
        }
    }

    /** An Observation without a time that can be placed on the timeline (a date only, none at all) is left out. */
    private static Optional<ClinicalMessage.ObservationFact> observation(String subject, JsonNode o) {
        Optional<Instant> effective = instant(o.path("effectiveDateTime"))
                .or(() -> instant(o.path("effectiveInstant")))
                .or(() -> instant(o.path("effectivePeriod").path("end")))
                .or(() -> instant(o.path("effectivePeriod").path("start")))
                .or(() -> instant(o.path("issued")));
        if (effective.isEmpty()) {
            return Optional.empty();
        }
        List<ClinicalMessage.CodedValue> values = new ArrayList<>();
        codedValues(o, values);
        for (JsonNode component : o.path("component")) {
            codedValues(component, values);
        }
        if (values.isEmpty()) {
            return Optional.empty();
        }
        TreeSet<String> codes = new TreeSet<>();
        values.forEach(v -> codes.add(v.code()));
        String status = o.path("status").asText("final").toLowerCase(Locale.ROOT);
        return Optional.of(new ClinicalMessage.ObservationFact(key(o, subject, String.join(",", codes), effective.get()), status,
                effective.get(), values));
    }

    private static void codedValues(JsonNode element, List<ClinicalMessage.CodedValue> into) {
        JsonNode quantity = element.path("valueQuantity");
        Double value = quantity.path("value").isNumber() ? quantity.path("value").asDouble() : null;
        String unit = value == null ? null : quantity.hasNonNull("code") ? quantity.path("code").asText() : quantity.path("unit").asText(null);
        for (JsonNode coding : element.path("code").path("coding")) {
            if (coding.hasNonNull("code")) {
                into.add(new ClinicalMessage.CodedValue(coding.path("system").asText("") + "|" + coding.path("code").asText(), value, unit));
            }
        }
    }

    /**
     * The resource's identity as {@code system|value}: its first identifier with a value, else its id, else a hash of
     * subject, codes and time, so the same resource delivered twice gets the same key.
     */
    private static String key(JsonNode r, String subject, String codes, Instant at) {
        String key = identity(r, subject, codes, at);
        // The key column holds 255 characters; a longer identity stays unique as its hash.
        return key.length() <= 255 ? key : HASH_SYSTEM + "|" + sha256(key).substring(0, 32);
    }

    private static String identity(JsonNode r, String subject, String codes, Instant at) {
        for (JsonNode id : r.path("identifier")) {
            if (id.hasNonNull("value") && !id.path("value").asText().isBlank()) {
                return id.path("system").asText("") + "|" + id.path("value").asText();
            }
        }
        if (r.hasNonNull("id")) {
            return FHIR_ID_SYSTEM + "|" + r.path("resourceType").asText() + "/" + r.path("id").asText();
        }
        return HASH_SYSTEM + "|" + sha256(r.path("resourceType").asText() + "\n" + subject + "\n" + codes + "\n" + at).substring(0, 32);
    }

    /**
     * The Patient's identifier of type MR, else its first with a value (the rule carebus:deid chooses the pseudonym by,
     * so a route with and one without de-identification file the same patient consistently); else a subject
     * reference's identifier, or the reference itself.
     */
    private static String subjectOf(List<JsonNode> resources, Map<String, JsonNode> byUrl) {
        for (JsonNode r : resources) {
            if ("Patient".equals(r.path("resourceType").asText())) {
                String id = patientKey(r);
                if (id != null) {
                    return id;
                }
            }
        }
        for (JsonNode r : resources) {
            JsonNode subject = r.path("subject");
            if (subject.isMissingNode()) {
                subject = r.path("patient");
            }
            if (subject.path("identifier").hasNonNull("value")) {
                return subject.path("identifier").path("system").asText("") + "|" + subject.path("identifier").path("value").asText();
            }
            String reference = subject.path("reference").asText(null);
            if (reference != null) {
                JsonNode patient = byUrl.get(reference);
                String id = patient == null ? null : patientKey(patient);
                return id != null ? id : FHIR_ID_SYSTEM + "|" + reference;
            }
        }
        return null;
    }

    private static String patientKey(JsonNode patient) {
        JsonNode first = null;
        for (JsonNode id : patient.path("identifier")) {
            if (!id.hasNonNull("value")) {
                continue;
            }
            for (JsonNode coding : id.path("type").path("coding")) {
                if ("MR".equals(coding.path("code").asText())) {
                    return id.path("system").asText("") + "|" + id.path("value").asText();
                }
            }
            if (first == null) {
                first = id;
            }
        }
        if (first != null) {
            return first.path("system").asText("") + "|" + first.path("value").asText();
        }
        return patient.hasNonNull("id") ? FHIR_ID_SYSTEM + "|Patient/" + patient.path("id").asText() : null;
    }

    /**
     * Conditions of every category are read: a problem-list item (PRB, FHIR problem lists) and an encounter diagnosis
     * (DG1) are both the patient's conditions. Where a Condition has neither identifier nor id, its category is part of
     * its identity, so a diagnosis of this visit and a problem-list item of the same code are two facts, not one
     * overwriting the other. Without a category the identity is the code alone, as before.
     */
    private static String conditionIdentity(JsonNode condition) {
        String code = firstCode(condition.path("code"));
        TreeSet<String> categories = new TreeSet<>();
        for (JsonNode category : condition.path("category")) {
            String c = firstCode(category);
            if (c != null) {
                categories.add(c);
            }
        }
        return categories.isEmpty() ? code : String.join(",", categories) + " " + code;
    }

    private static String firstCode(JsonNode concept) {
        for (JsonNode coding : concept.path("coding")) {
            if (coding.hasNonNull("code")) {
                return coding.path("system").asText("") + "|" + coding.path("code").asText();
            }
        }
        return null;
    }

    private static String text(JsonNode r, String field) {
        return r.hasNonNull(field) ? r.path(field).asText() : null;
    }

    /** A dateTime with a time and an offset; dates and local times cannot be ordered against other sources' times. */
    static Optional<Instant> instant(JsonNode node) {
        if (!node.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(node.asText()).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
