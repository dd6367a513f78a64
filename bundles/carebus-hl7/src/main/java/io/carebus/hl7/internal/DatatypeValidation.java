package io.carebus.hl7.internal;

import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.validation.EncodingRule;
import ca.uhn.hl7v2.validation.MessageRule;
import ca.uhn.hl7v2.validation.PrimitiveTypeRule;
import ca.uhn.hl7v2.validation.ValidationContext;
import ca.uhn.hl7v2.validation.impl.DefaultValidationWithoutTN;
import java.util.Collection;
import java.util.List;

/**
 * What {@code validate.datatypes} checks: HAPI's default rules (dates, times, numbers, lengths, segments a message
 * structure allows) with two of them left out, because real senders break them in messages that are right:
 * <ul>
 *   <li>the TN rule, which takes only US numbers ({@code (555)555-1234}): every phone number of a v2.1–2.4 sender
 *       outside North America, or with an extension, got AE (HAPI offers {@link DefaultValidationWithoutTN} for this);</li>
 *   <li>the rule that a withdrawn field (type NULLDT, v2.7 on: EVN-1, PID-19 ...) be empty. HL7 v2.7 treats a withdrawn
 *       element like a not-supported one, which a receiver ignores; senders that moved to v2.7+ keep valuing EVN-1.</li>
 * </ul>
 */
final class DatatypeValidation implements ValidationContext {

    private final ValidationContext rules = new DefaultValidationWithoutTN();

    @Override
    public Collection<PrimitiveTypeRule> getPrimitiveRules(String version, String typeName, Primitive type) {
        return "NULLDT".equals(typeName) ? List.of() : rules.getPrimitiveRules(version, typeName, type);
    }

    @Override
    public Collection<MessageRule> getMessageRules(String version, String messageType, String triggerEvent) {
        return rules.getMessageRules(version, messageType, triggerEvent);
    }

    @Override
    public Collection<EncodingRule> getEncodingRules(String version, String encoding) {
        return rules.getEncodingRules(version, encoding);
    }
}
