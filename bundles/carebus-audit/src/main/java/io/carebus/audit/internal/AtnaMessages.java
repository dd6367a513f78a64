package io.carebus.audit.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditEntry;
import java.util.Locale;
import org.openehealth.ipf.commons.audit.codes.AuditSourceType;
import org.openehealth.ipf.commons.audit.codes.EventActionCode;
import org.openehealth.ipf.commons.audit.codes.EventIdCode;
import org.openehealth.ipf.commons.audit.codes.EventOutcomeIndicator;
import org.openehealth.ipf.commons.audit.codes.NetworkAccessPointTypeCode;
import org.openehealth.ipf.commons.audit.codes.ParticipantObjectIdTypeCode;
import org.openehealth.ipf.commons.audit.codes.ParticipantObjectTypeCode;
import org.openehealth.ipf.commons.audit.codes.ParticipantObjectTypeCodeRole;
import org.openehealth.ipf.commons.audit.model.ActiveParticipantType;
import org.openehealth.ipf.commons.audit.model.AuditMessage;
import org.openehealth.ipf.commons.audit.model.AuditSourceIdentificationType;
import org.openehealth.ipf.commons.audit.model.EventIdentificationType;
import org.openehealth.ipf.commons.audit.model.ParticipantObjectIdentificationType;
import org.openehealth.ipf.commons.audit.model.TypeValuePairType;
import org.openehealth.ipf.commons.audit.types.EventId;
import org.openehealth.ipf.commons.audit.types.EventType;
import org.openehealth.ipf.commons.audit.types.ParticipantObjectIdType;

/**
 * An audit record as a DICOM PS3.15 A.5 audit message (the ATNA/RFC 3881 successor), built with IPF's model so the
 * XML is the library's, not ours. It carries the same facts as the FHIR AuditEvent ({@link AuditEventMapper}): event
 * id from the DICOM vocabulary, the CareBus action as event type, the actor with its network address, the node as
 * audit source, the entities (patient pseudonyms as Person/Patient), the model with its digest, and the record's
 * chain position and hash so a collector's copy can be checked against the trail.
 */
final class AtnaMessages {

    static final String CAREBUS_ACTION = AuditEventMapper.CAREBUS_ACTION;
    private static final ParticipantObjectIdType CHAIN_RECORD =
            ParticipantObjectIdType.of("chain-record", AuditEventMapper.CAREBUS_CHAIN, "CareBus audit chain record");
    private static final ParticipantObjectIdType CAREBUS_ENTITY =
            ParticipantObjectIdType.of("entity", "urn:carebus:entity", "CareBus entity");
    private static final ParticipantObjectIdType MODEL =
            ParticipantObjectIdType.of("model", "urn:carebus:model", "CareBus model");

    private AtnaMessages() {
    }

    static AuditMessage map(AuditEntry entry) {
        AuditRecord r = entry.record();
        AuditMessage message = new AuditMessage();
        EventIdentificationType event = new EventIdentificationType(eventId(r.action()), r.at(), outcome(r.outcome()));
        event.setEventActionCode(switch (r.action()) {
            case RECEIVE, STORE -> EventActionCode.Create;
            case READ, EMIT, EXPORT, ACK -> EventActionCode.Read;
            case CONFIG_CHANGE, MODEL_INSTALL, MODEL_ACTIVATE, MODEL_RETIRE -> EventActionCode.Update;
            default -> EventActionCode.Execute;
        });
        event.getEventTypeCode().add(EventType.of(r.action().name(), CAREBUS_ACTION,
                r.action().name().toLowerCase(Locale.ROOT)));
        if (r.detail() != null) {
            event.setEventOutcomeDescription(r.detail());
        }
        message.setEventIdentification(event);

        ActiveParticipantType actor = new ActiveParticipantType(r.actor(), true);
        if (r.remoteAddress() != null) {
            String host = r.remoteAddress().replaceFirst(":\\d+$", "");
            actor.setNetworkAccessPointID(host);
            actor.setNetworkAccessPointTypeCode(host.matches("[0-9.:\\[\\]a-fA-F]+")
                    ? NetworkAccessPointTypeCode.IPAddress : NetworkAccessPointTypeCode.MachineName);
        }
        message.getActiveParticipants().add(actor);

        AuditSourceIdentificationType source = new AuditSourceIdentificationType(r.nodeId());
        source.getAuditSourceType().add(AuditSourceType.ApplicationServerProcess);
        message.setAuditSourceIdentification(source);

        for (String entity : r.entities()) {
            boolean patient = entity.startsWith("patient/");
            ParticipantObjectIdentificationType object = new ParticipantObjectIdentificationType(entity,
                    patient ? ParticipantObjectIdTypeCode.PatientNumber : CAREBUS_ENTITY);
            object.setParticipantObjectTypeCode(patient ? ParticipantObjectTypeCode.Person : ParticipantObjectTypeCode.System);
            object.setParticipantObjectTypeCodeRole(patient ? ParticipantObjectTypeCodeRole.Patient
                    : ParticipantObjectTypeCodeRole.Resource);
            message.getParticipantObjectIdentifications().add(object);
        }
        if (r.model() != null) {
            ParticipantObjectIdentificationType model = new ParticipantObjectIdentificationType(
                    r.model().id() + "@" + r.model().version(), MODEL);
            model.setParticipantObjectTypeCode(ParticipantObjectTypeCode.System);
            model.getParticipantObjectDetails().add(new TypeValuePairType("sha256", r.model().sha256().hex()));
            message.getParticipantObjectIdentifications().add(model);
        }
        ParticipantObjectIdentificationType chain = new ParticipantObjectIdentificationType(Long.toString(entry.seq()),
                CHAIN_RECORD);
        chain.setParticipantObjectTypeCode(ParticipantObjectTypeCode.System);
        chain.getParticipantObjectDetails().add(new TypeValuePairType("chain-hash", entry.chainHash()));
        chain.getParticipantObjectDetails().add(new TypeValuePairType("key-id", entry.keyId()));
        if (r.routeId() != null) {
            chain.getParticipantObjectDetails().add(new TypeValuePairType("route", r.routeId()));
        }
        if (r.inputHash() != null) {
            chain.getParticipantObjectDetails().add(new TypeValuePairType("input-sha256", r.inputHash().hex()));
        }
        if (r.outputHash() != null) {
            chain.getParticipantObjectDetails().add(new TypeValuePairType("output-sha256", r.outputHash().hex()));
        }
        message.getParticipantObjectIdentifications().add(chain);
        return message;
    }

    private static EventId eventId(AuditAction action) {
        return switch (action) {
            case RECEIVE, STORE, ACK -> EventIdCode.Import;
            case EMIT, EXPORT -> EventIdCode.Export;
            case READ, REIDENTIFY -> EventIdCode.PatientRecord;
            case LOGIN_SUCCESS, LOGIN_FAILURE -> EventIdCode.UserAuthentication;
            default -> EventIdCode.ApplicationActivity;
        };
    }

    private static EventOutcomeIndicator outcome(AuditRecord.Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> EventOutcomeIndicator.Success;
            case MINOR_FAILURE -> EventOutcomeIndicator.MinorFailure;
            case SERIOUS_FAILURE -> EventOutcomeIndicator.SeriousFailure;
            case MAJOR_FAILURE -> EventOutcomeIndicator.MajorFailure;
        };
    }
}
