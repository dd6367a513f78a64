package io.carebus.audit.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditEntry;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * An audit record as a FHIR R4 AuditEvent, after the IHE Basic Audit Log Patterns: type from the DICOM audit
 * vocabulary (Import, Export, Patient Record, User Authentication, Application Activity), subtype the CareBus action,
 * the actor as requesting agent with its network address, the node as source, and the entities (messages, patient
 * pseudonyms, the model with its digest, input/output digests). The record's sequence number and chain hash travel
 * as identifiers, so an exported event can be checked against the trail.
 */
final class AuditEventMapper {

    static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String CAREBUS_ACTION = "urn:carebus:audit-action";
    static final String CAREBUS_CHAIN = "urn:carebus:audit-chain";

    private AuditEventMapper() {
    }

    static AuditEvent map(AuditEntry entry) {
        AuditRecord r = entry.record();
        AuditEvent event = new AuditEvent();
        event.setId("carebus-audit-" + entry.seq());
        event.setType(type(r.action()));
        event.addSubtype(new Coding(CAREBUS_ACTION, r.action().name(), r.action().name().toLowerCase(java.util.Locale.ROOT)));
        event.setAction(switch (r.action()) {
            case RECEIVE, STORE -> AuditEventAction.C;
            case READ, EMIT, EXPORT, ACK -> AuditEventAction.R;
            case CONFIG_CHANGE, MODEL_INSTALL, MODEL_ACTIVATE, MODEL_RETIRE -> AuditEventAction.U;
            default -> AuditEventAction.E;
        });
        event.setRecorded(Date.from(r.at()));
        event.setOutcome(switch (r.outcome()) {
            case SUCCESS -> AuditEventOutcome._0;
            case MINOR_FAILURE -> AuditEventOutcome._4;
            case SERIOUS_FAILURE -> AuditEventOutcome._8;
            case MAJOR_FAILURE -> AuditEventOutcome._12;
        });
        if (r.detail() != null) {
            event.setOutcomeDesc(r.detail());
        }
        AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true)
                .setWho(new Reference().setIdentifier(new Identifier().setSystem("urn:carebus:actor").setValue(r.actor()))
                        .setDisplay(r.actor()));
        if (r.remoteAddress() != null) {
            String host = r.remoteAddress().replaceFirst(":\\d+$", "");
            agent.getNetwork().setAddress(host).setType(host.matches("[0-9.:\\[\\]a-fA-F]+") ? AuditEvent.AuditEventAgentNetworkType._2
                    : AuditEvent.AuditEventAgentNetworkType._1);
        }
        event.getSource().setSite(r.nodeId()).setObserver(new Reference().setDisplay("CareBus " + r.nodeId()))
                .addType(new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
        for (String entity : r.entities()) {
            AuditEvent.AuditEventEntityComponent e = event.addEntity()
                    .setWhat(new Reference().setIdentifier(new Identifier().setSystem("urn:carebus:entity").setValue(entity)));
            if (entity.startsWith("patient/")) {
                e.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"))
                        .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
            } else {
                e.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
            }
        }
        if (r.model() != null) {
            event.addEntity().setWhat(new Reference().setType("Device").setIdentifier(new Identifier()
                            .setSystem("urn:carebus:model").setValue(r.model().id() + "@" + r.model().version())))
                    .addDetail().setType("sha256").setValue(new org.hl7.fhir.r4.model.StringType(r.model().sha256().hex()));
        }
        AuditEvent.AuditEventEntityComponent chain = event.addEntity()
                .setWhat(new Reference().setIdentifier(new Identifier().setSystem(CAREBUS_CHAIN).setValue(Long.toString(entry.seq()))))
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
        chain.addDetail().setType("chain-hash").setValue(new org.hl7.fhir.r4.model.StringType(entry.chainHash()));
        if (r.routeId() != null) {
            chain.addDetail().setType("route").setValue(new org.hl7.fhir.r4.model.StringType(r.routeId()));
        }
        if (r.inputHash() != null) {
            chain.addDetail().setType("input-sha256").setValue(new org.hl7.fhir.r4.model.StringType(r.inputHash().hex()));
        }
        if (r.outputHash() != null) {
            chain.addDetail().setType("output-sha256").setValue(new org.hl7.fhir.r4.model.StringType(r.outputHash().hex()));
        }
        return event;
    }

    private static Coding type(AuditAction action) {
        return switch (action) {
            case RECEIVE, STORE, ACK -> new Coding(DCM, "110107", "Import");
            case EMIT, EXPORT -> new Coding(DCM, "110106", "Export");
            case READ, REIDENTIFY -> new Coding(DCM, "110110", "Patient Record");
            case LOGIN_SUCCESS, LOGIN_FAILURE -> new Coding(DCM, "110114", "User Authentication");
            default -> new Coding(DCM, "110100", "Application Activity");
        };
    }
}
