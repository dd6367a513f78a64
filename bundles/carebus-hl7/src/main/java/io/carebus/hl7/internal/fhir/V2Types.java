package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/** The HL7v2 composite data types the mapping meets often (CWE/CE, CX, EI, XCN, HD) as FHIR data types. */
final class V2Types {

    private V2Types() {
    }

    /** CWE/CE/CNE at a field repetition: primary and alternate coding, text from CWE.9 or the display. */
    static CodeableConcept concept(V2Segment s, int field, int rep) {
        CodeableConcept concept = new CodeableConcept();
        addCoding(concept, s.get(field, rep, 1, 1), s.get(field, rep, 2, 1), s.get(field, rep, 3, 1));
        addCoding(concept, s.get(field, rep, 4, 1), s.get(field, rep, 5, 1), s.get(field, rep, 6, 1));
        String text = s.get(field, rep, 9, 1);
        if (!text.isEmpty()) {
            concept.setText(text);
        } else if (concept.getCoding().isEmpty() && !s.get(field, rep, 2, 1).isEmpty()) {
            concept.setText(s.get(field, rep, 2, 1));
        }
        return concept;
    }

    /**
     * A coded field of the versions before CWE carried its coding system elsewhere (DG1-2, PR1-2 "coding method"): it
     * stands in for an empty CWE-3. The description field (DG1-4, PR1-4) is the text when the code has no display.
     */
    static CodeableConcept concept(V2Segment s, int field, int rep, String fallbackSystem, String fallbackText) {
        String system = s.get(field, rep, 3, 1).isEmpty() ? fallbackSystem : s.get(field, rep, 3, 1);
        CodeableConcept concept = new CodeableConcept();
        addCoding(concept, s.get(field, rep, 1, 1), s.get(field, rep, 2, 1), system);
        addCoding(concept, s.get(field, rep, 4, 1), s.get(field, rep, 5, 1), s.get(field, rep, 6, 1));
        String text = s.get(field, rep, 9, 1);
        if (!text.isEmpty()) {
            concept.setText(text);
        } else if (fallbackText != null && !fallbackText.isEmpty() && concept.getCodingFirstRep().getDisplay() == null) {
            concept.setText(fallbackText);
        }
        return concept;
    }

    private static void addCoding(CodeableConcept concept, String code, String display, String system) {
        if (code.isEmpty()) {
            if (!display.isEmpty() && concept.getText() == null && concept.getCoding().isEmpty()) {
                concept.setText(display);
            }
            return;
        }
        Coding coding = concept.addCoding().setCode(code);
        if (!display.isEmpty()) {
            coding.setDisplay(display);
        }
        String name = system == null ? "" : system.trim().toUpperCase(java.util.Locale.ROOT);
        String fhirSystem = name.matches("HL7\\d{4}") && !"HL70078".equals(name) && !"HL70074".equals(name)
                && !"HL70292".equals(name) && !"HL70227".equals(name)
                ? V2Codes.tableSystem(name.substring(3), code) : V2Codes.codingSystem(system);
        if (fhirSystem != null) {
            coding.setSystem(fhirSystem);
        }
    }

    /** An HD (namespace^universal id^type) as an identifier system URI, or null when empty (one rule engine-wide). */
    static String system(String namespace, String universalId, String universalIdType) {
        return io.carebus.api.deid.AssigningAuthorities.system(namespace, universalId, universalIdType);
    }

    /** CX (id^check digit^scheme^assigning authority^type): identifier; system falls back to the sending facility. */
    static Identifier cx(V2Segment s, int field, int rep, String fallbackAuthority) {
        String value = s.get(field, rep, 1, 1);
        if (value.isEmpty()) {
            return null;
        }
        String system = system(s.get(field, rep, 4, 1), s.get(field, rep, 4, 2), s.get(field, rep, 4, 3));
        if (system == null) {
            system = io.carebus.api.deid.AssigningAuthorities.local(fallbackAuthority);
        }
        Identifier identifier = new Identifier().setSystem(system).setValue(value);
        String type = s.get(field, rep, 5, 1);
        if (!type.isEmpty()) {
            identifier.getType().addCoding().setSystem(V2Codes.tableSystem("0203", type)).setCode(type);
        }
        if ("MR".equalsIgnoreCase(type)) {
            identifier.setUse(Identifier.IdentifierUse.USUAL);
        }
        return identifier;
    }

    /** EI (entity id^namespace^universal id^type), e.g. placer and filler order numbers. */
    static Identifier ei(V2Segment s, int field, String fallbackAuthority, String typeCode) {
        String value = s.get(field, 0, 1, 1);
        if (value.isEmpty()) {
            return null;
        }
        String system = system(s.get(field, 0, 2, 1), s.get(field, 0, 3, 1), s.get(field, 0, 4, 1));
        Identifier identifier = new Identifier()
                .setSystem(system != null ? system : V2Codes.LOCAL_PREFIX + "id:" + uriSafe(fallbackAuthority))
                .setValue(value);
        identifier.getType().addCoding().setSystem(V2Codes.V2_0203).setCode(typeCode);
        return identifier;
    }

    /** XCN (id^family^given^...): a reference by identifier and display, since the practitioner is not a resource here. */
    static Reference xcn(V2Segment s, int field, int rep, String fallbackAuthority) {
        String id = s.get(field, rep, 1, 1);
        String family = s.get(field, rep, 2, 1);
        String given = s.get(field, rep, 3, 1);
        if (id.isEmpty() && family.isEmpty() && given.isEmpty()) {
            return null;
        }
        Reference reference = new Reference().setType("Practitioner");
        String display = (given + " " + family).trim();
        if (!display.isEmpty()) {
            reference.setDisplay(display);
        }
        if (!id.isEmpty()) {
            String system = system(s.get(field, rep, 9, 1), s.get(field, rep, 9, 2), s.get(field, rep, 9, 3));
            reference.setIdentifier(new Identifier()
                    .setSystem(system != null ? system : V2Codes.LOCAL_PREFIX + "id:" + uriSafe(fallbackAuthority))
                    .setValue(id));
        }
        return reference;
    }

    static String uriSafe(String s) {
        String cleaned = s.trim().replaceAll("[^A-Za-z0-9._~-]", "-");
        return cleaned.isEmpty() ? "unknown" : cleaned;
    }
}
