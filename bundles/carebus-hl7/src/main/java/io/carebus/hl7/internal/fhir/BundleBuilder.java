package io.carebus.hl7.internal.fhir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Builds the transaction Bundle: stable urn:uuid entry URLs (from the message key and the entry's position), and a
 * conditional {@code PUT Type?identifier=system|value} for every resource with a business identifier, so a replay
 * updates the same resources. Shared resources (Practitioner, Organization, Location, Medication) are added once per
 * Bundle per identifier, however many segments name them.
 */
final class BundleBuilder {

    private final Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    private final List<String> patientIdentifiers = new ArrayList<>();
    private final Map<String, Reference> shared = new HashMap<>();
    private final Map<String, Integer> perMessage = new HashMap<>();
    private final String key;
    private String messageSystem;
    private String controlId;

    BundleBuilder(String key) {
        this.key = key;
    }

    /**
     * The sender's message identity (MSH-3/4 and MSH-10): a resource the message gives no business identifier for, and
     * none can be derived for, is identified by it and its place among the message's resources of its type, so a
     * replay of the same message updates it.
     */
    void messageIdentity(String system, String controlId) {
        this.messageSystem = system;
        this.controlId = controlId;
    }

    Bundle bundle() {
        return bundle;
    }

    List<String> patientIdentifiers() {
        return patientIdentifiers;
    }

    Reference patient(Patient patient) {
        for (Identifier id : patient.getIdentifier()) {
            patientIdentifiers.add(id.getSystem() + "|" + id.getValue());
        }
        List<Identifier> conditional = patient.getIdentifier().stream()
                .filter(i -> i.getType().getCoding().stream().anyMatch(c -> "MR".equals(c.getCode()))).toList();
        return add(patient, conditional.isEmpty() ? patient.getIdentifier() : conditional);
    }

    /** Adds the resource, conditional on the first identifier given (POST when none). */
    Reference add(Resource resource, List<Identifier> identifiers) {
        Bundle.BundleEntryComponent entry = entry(resource);
        Identifier id = identifiers.stream().filter(i -> i.hasSystem() && i.hasValue()).findFirst().orElse(null);
        if (id == null && messageSystem != null && controlId != null && !controlId.isEmpty()
                && resource.getNamedProperty("identifier") != null) {
            int n = perMessage.merge(resource.fhirType(), 1, Integer::sum);
            id = ((Identifier) resource.addChild("identifier")).setSystem(messageSystem)
                    .setValue(controlId + "-" + resource.fhirType() + "-" + n);
        }
        if (id != null) {
            entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(resource.fhirType() + "?identifier="
                    + URLEncoder.encode(id.getSystem() + "|" + id.getValue(), StandardCharsets.UTF_8));
        } else {
            entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(resource.fhirType());
        }
        return new Reference(entry.getFullUrl()).setType(resource.fhirType());
    }

    /** Adds the resource conditional on its first identifier (POST when it has none). */
    Reference add(Resource resource) {
        org.hl7.fhir.r4.model.Property property = resource.getNamedProperty("identifier");
        List<Identifier> ids = property == null ? List.of() : property.getValues().stream()
                .filter(Identifier.class::isInstance).map(Identifier.class::cast).toList();
        return add(resource, ids);
    }

    Reference add(Resource resource, Identifier identifier) {
        return add(resource, identifier == null ? List.of() : List.of(identifier));
    }

    /**
     * Adds a resource with no identifier element (MessageHeader, Provenance) as {@code PUT Type/id}: the id is derived
     * from what makes the message unique to its sender, so a replay overwrites instead of adding a second one.
     */
    Reference addWithId(Resource resource, String stableSeed) {
        String id = UUID.nameUUIDFromBytes(stableSeed.getBytes(StandardCharsets.UTF_8)).toString();
        resource.setId(id);
        Bundle.BundleEntryComponent entry = entry(resource);
        entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(resource.fhirType() + "/" + id);
        return new Reference(entry.getFullUrl()).setType(resource.fhirType());
    }

    /**
     * A shared resource (Practitioner, Organization, Location, Medication) once per {@code dedupKey}: the first
     * segment naming it adds it, later ones get the same reference.
     */
    Reference shared(String dedupKey, Resource resource, Identifier identifier) {
        String k = resource.fhirType() + "|" + dedupKey;
        Reference known = shared.get(k);
        if (known != null) {
            return known.copy();
        }
        Reference added = add(resource, identifier);
        shared.put(k, added);
        return added.copy();
    }

    Resource resourceAt(Reference reference) {
        return bundle.getEntry().stream().filter(e -> e.getFullUrl().equals(reference.getReference()))
                .findFirst().orElseThrow().getResource();
    }

    private Bundle.BundleEntryComponent entry(Resource resource) {
        String fullUrl = "urn:uuid:" + UUID.nameUUIDFromBytes((key + "|" + bundle.getEntry().size()).getBytes(StandardCharsets.UTF_8));
        return bundle.addEntry().setFullUrl(fullUrl).setResource(resource);
    }
}
