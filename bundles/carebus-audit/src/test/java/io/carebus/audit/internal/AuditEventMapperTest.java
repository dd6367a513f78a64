package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.model.ModelId;
import io.carebus.audit.AuditEntry;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;

class AuditEventMapperTest {

    private static final FhirContext FHIR = FhirContext.forR4();

    private static AuditEvent roundTrip(AuditEntry entry) {
        String json = FHIR.newJsonParser().encodeResourceToString(AuditEventMapper.map(entry));
        return FHIR.newJsonParser().setParserErrorHandler(new StrictErrorHandler()).parseResource(AuditEvent.class, json);
    }

    @Test
    void aReceivedMessageIsAnImportWithItsAgentSourceAndChainPlace() {
        AuditRecord record = new AuditRecord(Instant.parse("2026-11-28T10:00:00Z"), "node-1", "hl7-listener:main",
                "10.1.2.3:40000", AuditAction.RECEIVE, AuditRecord.Outcome.SUCCESS, List.of("message/42", "patient/PSEUDO-9"),
                null, null, new Sha256("a".repeat(64)), new Sha256("b".repeat(64)), "answered AA");
        AuditEvent event = roundTrip(new AuditEntry(7, record, "k1", "c".repeat(64)));

        assertThat(event.getType().getCode()).isEqualTo("110107");
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("RECEIVE");
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(event.getRecorded().toInstant()).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        assertThat(event.getAgentFirstRep().getRequestor()).isTrue();
        assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("hl7-listener:main");
        assertThat(event.getAgentFirstRep().getNetwork().getAddress()).isEqualTo("10.1.2.3");
        assertThat(event.getSource().getSite()).isEqualTo("node-1");
        assertThat(event.getEntity()).extracting(e -> e.getWhat().getIdentifier().getValue())
                .containsExactly("message/42", "patient/PSEUDO-9", "7");
        assertThat(event.getEntity().get(1).getRole().getCode()).as("the pseudonym is the patient").isEqualTo("1");
        assertThat(event.getEntity().get(2).getDetail()).extracting(d -> d.getType())
                .containsExactly("chain-hash", "input-sha256", "output-sha256");
    }

    @Test
    void anInferenceNamesTheModelAndAFailureItsSeverity() {
        AuditRecord record = new AuditRecord(Instant.now(), "node-1", "route:sepsis", null, AuditAction.INFER,
                AuditRecord.Outcome.SERIOUS_FAILURE, List.of("message/1"), "sepsis",
                new ModelId("sepsis-risk", "1.2.0", new Sha256("d".repeat(64))), null, null, "model timed out");
        AuditEvent event = roundTrip(new AuditEntry(8, record, "k1", "e".repeat(64)));
        assertThat(event.getType().getCode()).isEqualTo("110100");
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
        assertThat(event.getOutcomeDesc()).isEqualTo("model timed out");
        assertThat(event.getEntity()).anySatisfy(e -> {
            assertThat(e.getWhat().getIdentifier().getValue()).isEqualTo("sepsis-risk@1.2.0");
            assertThat(e.getDetailFirstRep().getValueStringType().getValue()).isEqualTo("d".repeat(64));
        });
    }
}
