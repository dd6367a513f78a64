package io.carebus.fhir.internal;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.parser.PipeParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * For an EHR whose CapabilityStatement takes no FHIR writes of a result type: the results as one HL7v2.5.1 ORU^R01
 * (the message every EHR accepts results in). PID-3 from the subject's identifier; per result one OBR whose filler
 * order number (OBR-3) is the engine identifier (so the receiver can recognise a resend) and one OBX: OBX-3 the code,
 * OBX-5 the value (NM) with units, OBX-8 the interpretation, OBX-11 F, OBX-14 the time, OBX-18 the model.
 */
final class OruFallback {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").withZone(ZoneOffset.UTC);

    private OruFallback() {
    }

    /** Whether this resource type can be sent this way. */
    static boolean supports(Resource resource) {
        return resource instanceof Observation || resource instanceof RiskAssessment;
    }

    static String build(List<Resource> results, String controlId, String receivingApplication, String receivingFacility)
            throws HL7Exception, IOException {
        ORU_R01 oru = new ORU_R01();
        oru.initQuickstart("ORU", "R01", "P");
        MSH msh = oru.getMSH();
        msh.getSendingApplication().getNamespaceID().setValue("CAREBUS");
        msh.getReceivingApplication().getNamespaceID().setValue(receivingApplication);
        msh.getReceivingFacility().getNamespaceID().setValue(receivingFacility);
        msh.getMessageControlID().setValue(controlId);
        msh.getVersionID().getVersionID().setValue("2.5.1");
        Reference subject = results.stream().map(OruFallback::subject).filter(r -> r != null).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("results without a subject cannot go as ORU^R01"));
        PID pid = oru.getPATIENT_RESULT().getPATIENT().getPID();
        pid.getSetIDPID().setValue("1");
        if (subject.hasIdentifier()) {
            Identifier id = subject.getIdentifier();
            pid.getPatientIdentifierList(0).getIDNumber().setValue(id.getValue());
            pid.getPatientIdentifierList(0).getAssigningAuthority().getUniversalID().setValue(id.getSystem());
            pid.getPatientIdentifierList(0).getAssigningAuthority().getUniversalIDType().setValue("URI");
        } else {
            pid.getPatientIdentifierList(0).getIDNumber().setValue(subject.getReferenceElement().getIdPart());
        }
        int n = 0;
        for (Resource result : results) {
            if (!supports(result)) {
                continue;
            }
            ORU_R01_ORDER_OBSERVATION order = oru.getPATIENT_RESULT().getORDER_OBSERVATION(n);
            n++;
            OBR obr = order.getOBR();
            obr.getSetIDOBR().setValue(Integer.toString(n));
            Identifier engineId = engineIdentifier(result);
            if (engineId != null) {
                obr.getFillerOrderNumber().getEntityIdentifier().setValue(engineId.getValue());
                obr.getFillerOrderNumber().getNamespaceID().setValue("CAREBUS");
                obr.getFillerOrderNumber().getUniversalID().setValue(engineId.getSystem());
                obr.getFillerOrderNumber().getUniversalIDType().setValue("URI");
            }
            obr.getUniversalServiceIdentifier().getIdentifier().setValue("CAREBUS-AI");
            obr.getUniversalServiceIdentifier().getText().setValue("Model result");
            obr.getResultStatus().setValue("F");
            obx(order.getOBSERVATION(0).getOBX(), 1, result);
        }
        if (n == 0) {
            throw new IllegalArgumentException("no Observation or RiskAssessment to send as ORU^R01");
        }
        return new PipeParser().encode(oru);
    }

    private static void obx(OBX obx, int setId, Resource result) throws DataTypeException, HL7Exception {
        obx.getSetIDOBX().setValue(Integer.toString(setId));
        obx.getValueType().setValue("NM");
        obx.getObservationResultStatus().setValue("F");
        NM value = new NM(obx.getMessage());
        CodeableConcept code;
        Date when;
        Reference performer;
        String interpretation = null;
        if (result instanceof Observation o) {
            code = o.getCode();
            when = o.hasEffectiveDateTimeType() ? o.getEffectiveDateTimeType().getValue() : o.getIssued();
            performer = o.hasPerformer() ? o.getPerformerFirstRep() : null;
            if (o.getValue() instanceof Quantity q) {
                value.setValue(q.getValue().toPlainString());
                obx.getUnits().getIdentifier().setValue(q.hasCode() ? q.getCode() : q.getUnit());
                obx.getUnits().getNameOfCodingSystem().setValue(q.hasSystem() && q.getSystem().contains("unitsofmeasure") ? "UCUM" : null);
            } else {
                throw new IllegalArgumentException("only Observations with a Quantity value can go as ORU^R01 here");
            }
            if (o.hasInterpretation()) {
                interpretation = o.getInterpretationFirstRep().getCodingFirstRep().getCode();
            }
        } else {
            RiskAssessment r = (RiskAssessment) result;
            code = r.getPredictionFirstRep().getOutcome();
            when = r.hasOccurrenceDateTimeType() ? r.getOccurrenceDateTimeType().getValue() : null;
            performer = r.hasPerformer() ? r.getPerformer() : null;
            BigDecimal p = r.getPredictionFirstRep().getProbabilityDecimalType().getValue();
            value.setValue(p.toPlainString());
            obx.getUnits().getIdentifier().setValue("1");
            obx.getUnits().getNameOfCodingSystem().setValue("UCUM");
            if (r.getPredictionFirstRep().hasQualitativeRisk()) {
                interpretation = "high".equals(r.getPredictionFirstRep().getQualitativeRisk().getCodingFirstRep().getCode()) ? "H" : "N";
            }
        }
        obx.getObservationValue(0).setData(value);
        ce(obx.getObservationIdentifier(), code);
        if (interpretation != null) {
            obx.getAbnormalFlags(0).setValue(interpretation);
        }
        if (when != null) {
            obx.getDateTimeOfTheObservation().getTime().setValue(TS.format(Instant.ofEpochMilli(when.getTime())));
        }
        if (performer != null && performer.hasIdentifier()) {
            obx.getEquipmentInstanceIdentifier(0).getEntityIdentifier().setValue(performer.getIdentifier().getValue());
            obx.getEquipmentInstanceIdentifier(0).getNamespaceID().setValue("CAREBUS");
        }
    }

    private static Identifier engineIdentifier(Resource result) {
        Identifier id = result instanceof Observation o ? o.getIdentifierFirstRep() : ((RiskAssessment) result).getIdentifierFirstRep();
        return id.hasValue() ? id : null;
    }

    private static void ce(CE target, CodeableConcept concept) throws DataTypeException {
        Coding coding = concept.getCodingFirstRep();
        target.getIdentifier().setValue(coding.getCode());
        target.getText().setValue(concept.hasText() ? concept.getText() : coding.getDisplay());
        target.getNameOfCodingSystem().setValue(systemName(coding.getSystem()));
    }

    /** HL7 table 0396 names for the common code systems; the URI itself otherwise. */
    private static String systemName(String system) {
        if (system == null) {
            return null;
        }
        return switch (system) {
            case "http://loinc.org" -> "LN";
            case "http://snomed.info/sct" -> "SCT";
            case "http://unitsofmeasure.org" -> "UCUM";
            default -> system.length() <= 20 ? system : "99CB";
        };
    }

    private static Reference subject(Resource resource) {
        if (resource instanceof Observation o && o.hasSubject()) {
            return o.getSubject();
        }
        if (resource instanceof RiskAssessment r && r.hasSubject()) {
            return r.getSubject();
        }
        return null;
    }
}
