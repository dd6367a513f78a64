package io.carebus.fhir.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * What an EHR's CapabilityStatement says it accepts, per resource type: which interactions, whether conditional
 * create/update work, whether it searches by identifier. Decides how a result is written (see {@link WriteMode}).
 */
record Capabilities(String fhirVersion, Map<String, TypeCapabilities> types) {

    record TypeCapabilities(boolean create, boolean update, boolean searchType, boolean conditionalCreate,
                            boolean conditionalUpdate, boolean identifierSearch) {
    }

    /** How results are written so the EHR holds each exactly once. */
    enum WriteMode {
        /** POST with If-None-Exist: identifier=system|value (the EHR creates it once). */
        CONDITIONAL_CREATE,
        /** PUT [type]?identifier=system|value (the EHR creates or replaces the one with that identifier). */
        CONDITIONAL_UPDATE,
        /** GET [type]?identifier=system|value first, POST only when nothing is found. */
        SEARCH_THEN_CREATE,
        /** Plain POST: at least once only (a crash between the EHR's answer and the outbox update can repeat it). */
        CREATE;

        static Optional<WriteMode> configured(String text) {
            return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "auto", "" -> Optional.empty();
                case "conditional-create" -> Optional.of(CONDITIONAL_CREATE);
                case "conditional-update" -> Optional.of(CONDITIONAL_UPDATE);
                case "search-then-create" -> Optional.of(SEARCH_THEN_CREATE);
                case "create" -> Optional.of(CREATE);
                default -> throw new IllegalArgumentException("write.mode must be auto, conditional-create, conditional-update, "
                        + "search-then-create or create, not " + text);
            };
        }
    }

    static Capabilities of(CapabilityStatement statement) {
        Map<String, TypeCapabilities> types = new HashMap<>();
        for (CapabilityStatement.CapabilityStatementRestComponent rest : statement.getRest()) {
            if (rest.getMode() != null && rest.getMode() != CapabilityStatement.RestfulCapabilityMode.SERVER) {
                continue;
            }
            for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
                boolean create = false;
                boolean update = false;
                boolean search = false;
                for (CapabilityStatement.ResourceInteractionComponent interaction : resource.getInteraction()) {
                    if (interaction.getCode() == null) {
                        continue;
                    }
                    switch (interaction.getCode()) {
                        case CREATE -> create = true;
                        case UPDATE -> update = true;
                        case SEARCHTYPE -> search = true;
                        default -> { }
                    }
                }
                boolean identifier = resource.getSearchParam().stream().anyMatch(p -> "identifier".equals(p.getName()));
                boolean conditionalUpdate = resource.getConditionalUpdate();
                types.put(resource.getType(), new TypeCapabilities(create, update, search, create && resource.getConditionalCreate(),
                        update && conditionalUpdate, search && identifier));
            }
        }
        return new Capabilities(statement.getFhirVersion() == null ? "" : statement.getFhirVersion().toCode(), Map.copyOf(types));
    }

    boolean isR4() {
        return fhirVersion.startsWith("4.0");
    }

    /** Whether the EHR takes writes of this type at all (no: the route may fall back to HL7v2). */
    boolean writable(String resourceType) {
        TypeCapabilities t = types.get(resourceType);
        return t != null && (t.create() || t.conditionalUpdate());
    }

    /** The configured mode, or the safest the EHR supports for this type. */
    WriteMode modeFor(String resourceType, Optional<WriteMode> configured) {
        if (configured.isPresent()) {
            return configured.get();
        }
        TypeCapabilities t = types.get(resourceType);
        if (t == null) {
            return WriteMode.CONDITIONAL_CREATE;
        }
        if (OutboxStep.REVISABLE_TYPES.contains(resourceType) && t.conditionalUpdate()) {
            // A later revision must replace what the EHR holds; a conditional create would keep the first one.
            return WriteMode.CONDITIONAL_UPDATE;
        }
        if (t.conditionalCreate()) {
            return WriteMode.CONDITIONAL_CREATE;
        }
        if (t.conditionalUpdate()) {
            return WriteMode.CONDITIONAL_UPDATE;
        }
        return t.identifierSearch() ? WriteMode.SEARCH_THEN_CREATE : WriteMode.CREATE;
    }
}
