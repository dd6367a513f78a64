package io.carebus.fhir;

import io.carebus.api.explain.Explanation;
import io.carebus.api.model.ModelCard;
import io.carebus.api.model.Prediction;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/**
 * The resources of an alert episode (see {@code carebus:alert}): one {@code Flag} per episode, whose identifier is
 * derived from the episode alone, so it is the same Flag while it is raised, updated and ended, and one
 * {@code Communication} when it is raised. Nothing here names the patient beyond the subject reference: the payload
 * says the risk, the threshold, the model and the strongest contributions.
 */
public final class AlertResources {

    public static final String RISK_URL = "urn:carebus:fhir:StructureDefinition:alert-risk";
    public static final String THRESHOLD_URL = "urn:carebus:fhir:StructureDefinition:alert-threshold";
    /** The result the alert is about (the RiskAssessment or Observation of the score), by its engine identifier. */
    public static final String BASIS_URL = "urn:carebus:fhir:StructureDefinition:alert-basis";
    private static final int TOP_REASONS = 3;

    /**
     * What one score says about an episode: which episode, the score, the output and threshold it crossed, whose it
     * is, the result it is about (may be null) and the explanation (may be null).
     */
    public record Alert(String episode, Prediction prediction, ModelCard.ModelOutput output, double risk, Reference subject,
                        Reference basis, Explanation explanation) {
    }

    private final ResultResources results;

    public AlertResources(ResultResources results) {
        this.results = results;
    }

    public Identifier flagIdentifier(String episode) {
        return results.engineIdentifier(ResultResources.stableValue("Flag", episode));
    }

    public Identifier communicationIdentifier(String episode) {
        return results.engineIdentifier(ResultResources.stableValue("Communication", episode));
    }

    /**
     * The episode's Flag as of this score: active from {@code start}, or inactive with {@code end} when the episode
     * ended. {@code meta.lastUpdated} is the score's time: the revision by which the outbox keeps the newest.
     */
    public Flag flag(Alert alert, Instant start, Instant end) {
        Flag flag = new Flag();
        flag.addIdentifier(flagIdentifier(alert.episode()));
        flag.setStatus(end == null ? Flag.FlagStatus.ACTIVE : Flag.FlagStatus.INACTIVE);
        flag.addCategory(new CodeableConcept().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/flag-category",
                "clinical", "Clinical")));
        flag.setCode(ResultResources.concept(alert.output()));
        flag.setSubject(alert.subject().copy());
        Period period = new Period().setStart(Date.from(start));
        if (end != null) {
            period.setEnd(Date.from(end));
        }
        flag.setPeriod(period);
        flag.setAuthor(ResultResources.deviceReference(alert.prediction().model()));
        flag.addExtension(new Extension(RISK_URL, new DecimalType(ResultResources.round(alert.risk()))));
        flag.addExtension(new Extension(THRESHOLD_URL, new DecimalType(ResultResources.round(alert.output().threshold()))));
        if (alert.basis() != null) {
            flag.addExtension(new Extension(BASIS_URL, alert.basis().copy()));
        }
        ResultResources.explain(flag, alert.explanation());
        flag.getMeta().setLastUpdated(Date.from(alert.prediction().at()));
        ResultResources.label(flag);
        ResultResources.narrative(flag, (end == null ? "Alert: " : "Alert ended: ") + summary(alert));
        return flag;
    }

    /** The one Communication of an episode, sent when it is raised: about the Flag and the scored result. */
    public Communication communication(Alert alert, Reference recipient) {
        Communication communication = new Communication();
        communication.addIdentifier(communicationIdentifier(alert.episode()));
        communication.setStatus(Communication.CommunicationStatus.COMPLETED);
        communication.addCategory(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/communication-category", "alert", "Alert")));
        communication.setPriority(Communication.CommunicationPriority.URGENT);
        communication.setSubject(alert.subject().copy());
        communication.setTopic(ResultResources.concept(alert.output()));
        communication.addAbout(new Reference().setType("Flag").setIdentifier(flagIdentifier(alert.episode())));
        if (alert.basis() != null) {
            communication.addAbout(alert.basis().copy());
        }
        if (recipient != null) {
            communication.addRecipient(recipient.copy());
        }
        communication.setSender(ResultResources.deviceReference(alert.prediction().model()));
        communication.setSent(Date.from(alert.prediction().at()));
        communication.addPayload().setContent(new org.hl7.fhir.r4.model.StringType(summary(alert)));
        ResultResources.label(communication);
        ResultResources.narrative(communication, summary(alert));
        return communication;
    }

    /** Risk, threshold, model and the strongest reasons: what a clinician reads first. */
    static String summary(Alert alert) {
        StringBuilder text = new StringBuilder();
        text.append("Risk of ").append(ResultResources.display(alert.output())).append(' ')
                .append(String.format(Locale.ROOT, "%.3f", alert.risk()))
                .append(alert.risk() >= alert.output().threshold() ? " at or above" : " below")
                .append(" the alert threshold ").append(alert.output().threshold())
                .append(" (model ").append(alert.prediction().model()).append(')');
        List<Explanation.FeatureContribution> top = alert.explanation() == null ? List.of() : alert.explanation().contributions().stream()
                .sorted(Comparator.comparingDouble((Explanation.FeatureContribution c) -> Math.abs(c.contribution())).reversed())
                .limit(TOP_REASONS).toList();
        if (!top.isEmpty()) {
            text.append(". Top contributions: ");
            for (int i = 0; i < top.size(); i++) {
                Explanation.FeatureContribution c = top.get(i);
                text.append(i == 0 ? "" : "; ").append(c.feature().replace('_', ' ')).append(' ')
                        .append(new java.math.BigDecimal(c.inputValue()).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString())
                        .append(c.unit() == null || c.unit().isBlank() ? "" : " " + c.unit())
                        .append(String.format(Locale.ROOT, " (%+.2f)", c.contribution()));
            }
        }
        return text.append(". For clinician review.").toString();
    }
}
