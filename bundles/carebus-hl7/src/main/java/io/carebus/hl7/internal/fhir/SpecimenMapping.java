package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Specimen;

/**
 * SPM to Specimen (IG "SPM[Specimen]"): SPM-2 (EIP: placer&...^filler&...) as identifiers, type SPM-4, collection
 * method/site/amount/time SPM-7/8/12/17, received SPM-18, description SPM-14, a reject reason SPM-21 as unsatisfactory.
 */
final class SpecimenMapping {

    private SpecimenMapping() {
    }

    static Specimen fromSpm(V2Segment spm, String orderKey, MappingContext ctx) {
        Specimen specimen = new Specimen();
        Identifier filler = eipPart(spm, 2, "FILL", ctx);
        Identifier placer = eipPart(spm, 1, "PLAC", ctx);
        if (filler != null) {
            specimen.addIdentifier(filler);
        }
        if (placer != null) {
            specimen.addIdentifier(placer);
        }
        if (filler == null && placer == null) {
            Identifier derived = ctx.derived("specimen", orderKey, spm.get(1).isEmpty() ? "1" : spm.get(1));
            if (derived != null) {
                specimen.addIdentifier(derived);
            }
        }
        if (!spm.get(4).isEmpty() || !spm.get(4, 2).isEmpty()) {
            specimen.setType(V2Types.concept(spm, 4, 0, "HL70487", null));
        }
        if (ctx.subject != null) {
            specimen.setSubject(ctx.subject);
        }
        Specimen.SpecimenCollectionComponent collection = specimen.getCollection();
        ctx.dateTime(spm, 17, 0, 1).ifPresent(collection::setCollected);
        if (!spm.get(7).isEmpty()) {
            collection.setMethod(V2Types.concept(spm, 7, 0, "HL70488", null));
        }
        if (!spm.get(8).isEmpty()) {
            collection.setBodySite(V2Types.concept(spm, 8, 0));
        }
        ctx.decimal(spm, 12, 0, 1).ifPresent(q -> {
            collection.getQuantity().setValue(q);
            String unit = spm.get(12, 0, 2, 1);
            if (!unit.isEmpty()) {
                collection.getQuantity().setUnit(unit);
                String ucum = V2Codes.ucum(unit, spm.get(12, 0, 2, 3));
                if (ucum != null) {
                    collection.getQuantity().setSystem(V2Codes.UCUM).setCode(ucum);
                }
            }
        });
        ctx.dateTime(spm, 18).ifPresent(specimen::setReceivedTimeElement);
        if (!spm.get(14).isEmpty()) {
            specimen.addNote().setText(spm.get(14));
        }
        if (!spm.get(21).isEmpty() || !spm.get(21, 2).isEmpty()) {
            specimen.setStatus(Specimen.SpecimenStatus.UNSATISFACTORY);
            specimen.addCondition(V2Types.concept(spm, 21, 0));
        }
        if (!spm.get(27).isEmpty()) {
            specimen.addContainer().setType(V2Types.concept(spm, 27, 0));
        }
        return specimen;
    }

    /**
     * OBR-15 (specimen source, SPS; the specimen of versions before SPM, withdrawn in 2.7, IG "OBR[Specimen]"): SPS-1
     * the type (table 0070), SPS-2 an additive, SPS-3 the collection method (text), SPS-4 the body site; collected at
     * OBR-7, received at OBR-14 (the same message's times: OBR-7 of results is the collection time). Null when OBR-15
     * names nothing.
     */
    static Specimen fromObr15(V2Segment obr, String orderKey, MappingContext ctx) {
        org.hl7.fhir.r4.model.CodeableConcept type = subConcept(obr, 15, 1, "HL70070");
        org.hl7.fhir.r4.model.CodeableConcept site = subConcept(obr, 15, 4, null);
        String additive = obr.get(15, 0, 2, 1);
        String method = obr.get(15, 0, 3, 1);
        if (type.isEmpty() && site.isEmpty() && additive.isEmpty() && method.isEmpty()) {
            return null;
        }
        Specimen specimen = new Specimen();
        Identifier derived = ctx.derived("specimen", orderKey, "source");
        if (derived != null) {
            specimen.addIdentifier(derived);
        }
        if (!type.isEmpty()) {
            specimen.setType(type);
        }
        if (ctx.subject != null) {
            specimen.setSubject(ctx.subject);
        }
        Specimen.SpecimenCollectionComponent collection = specimen.getCollection();
        if (!site.isEmpty()) {
            collection.setBodySite(site);
        }
        if (!method.isEmpty()) {
            collection.getMethod().setText(method);
        }
        ctx.dateTime(obr, 7).ifPresent(collection::setCollected);
        ctx.dateTime(obr, 14).ifPresent(specimen::setReceivedTimeElement);
        if (!additive.isEmpty()) {
            specimen.addContainer().getAdditiveCodeableConcept().setText(additive);
        }
        return specimen;
    }

    /** A CWE/CE held in one component of a composite (its parts in subcomponents), e.g. SPS-1 and SPS-4. */
    private static org.hl7.fhir.r4.model.CodeableConcept subConcept(V2Segment s, int field, int component, String table) {
        org.hl7.fhir.r4.model.CodeableConcept concept = new org.hl7.fhir.r4.model.CodeableConcept();
        String code = s.get(field, 0, component, 1);
        String display = s.get(field, 0, component, 2);
        String named = s.get(field, 0, component, 3);
        if (!code.isEmpty()) {
            var coding = concept.addCoding().setCode(code);
            String system = named.isEmpty() ? (table == null ? null : V2Codes.tableSystem(table.substring(3), code))
                    : named.toUpperCase(java.util.Locale.ROOT).matches("HL7\\d{4}")
                    ? V2Codes.tableSystem(named.substring(3), code) : V2Codes.codingSystem(named);
            if (system != null) {
                coding.setSystem(system);
            }
            if (!display.isEmpty()) {
                coding.setDisplay(display);
            }
        } else if (!display.isEmpty()) {
            concept.setText(display);
        }
        return concept;
    }

    /** One EI of SPM-2's EIP (component 1 placer, 2 filler), the EI's parts in subcomponents. */
    private static Identifier eipPart(V2Segment spm, int component, String type, MappingContext ctx) {
        String value = spm.get(2, 0, component, 1);
        if (value.isEmpty()) {
            return null;
        }
        String system = V2Types.system(spm.get(2, 0, component, 2), spm.get(2, 0, component, 3), spm.get(2, 0, component, 4));
        Identifier id = new Identifier().setValue(value)
                .setSystem(system != null ? system : V2Codes.LOCAL_PREFIX + "id:" + V2Types.uriSafe(ctx.facility));
        id.getType().addCoding().setSystem(V2Codes.V2_0203).setCode(type);
        return id;
    }
}
