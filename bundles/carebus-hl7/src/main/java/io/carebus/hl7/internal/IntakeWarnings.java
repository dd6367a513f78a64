package io.carebus.hl7.internal;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.MessageRule;
import ca.uhn.hl7v2.validation.PrimitiveTypeRule;
import ca.uhn.hl7v2.validation.ValidationContext;
import ca.uhn.hl7v2.validation.ValidationException;
import ca.uhn.hl7v2.validation.builder.PredicateRuleSupport;
import io.carebus.api.store.MessageWarning;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The problems of an accepted message, as warnings: HAPI's validation rules (the ones strict mode refuses with, see
 * {@link DatatypeValidation}) run over the parsed message as a checker that collects instead of throwing, plus what
 * lenient parsing had to work around (a withdrawn or unknown OBX-2 data type, an empty OBX-2, a structure HAPI does
 * not know for the version). Each warning names the place, the rule and the value's length; never the value (PHI).
 *
 * <p>The walk mirrors HAPI's own {@code AbstractValidator} (segments, fields, repetitions, components,
 * subcomponents), which reports values in its messages and so cannot be used as it is.
 */
final class IntakeWarnings {

    /** Enough to say what is wrong with a message broken everywhere; the store keeps no more than 200 either. */
    static final int MAX = 200;
    private static final Pattern TYPE_CODE = Pattern.compile("[A-Z][A-Z0-9]{1,3}");

    private final ValidationContext rules;
    private final LenientModelClassFactory types;

    IntakeWarnings(ValidationContext rules, LenientModelClassFactory types) {
        this.rules = rules;
        this.types = types;
    }

    /**
     * @param text          the message as parsed (segments separated by CR)
     * @param checkPrimitives false where the parse already enforced the primitive rules (strict mode)
     */
    List<MessageWarning> of(Message message, String text, char fieldSeparator, boolean checkPrimitives) {
        List<MessageWarning> found = new ArrayList<>();
        String version = message.getVersion();
        if (message instanceof GenericMessage) {
            found.add(new MessageWarning("MSH-9", "HAPI has no message structure for this message type in version " + version
                    + ": its segments were read in order, without groups", null));
        }
        emptyObx2(text, fieldSeparator, found);
        try {
            walk(message, new HashMap<>(), version, checkPrimitives, found);
            if (checkPrimitives) {
                messageRules(message, version, found);
            }
        } catch (HL7Exception | RuntimeException e) {
            // A checker must not turn an accepted message into a refused one: say that checking stopped, and where.
            found.add(new MessageWarning("message", "checking stopped early: " + e.getClass().getSimpleName(), null));
        }
        return found.size() > MAX ? List.copyOf(found.subList(0, MAX)) : found;
    }

    /**
     * Every segment that was created, in message order, through the groups (HAPI's ReadOnlyMessageIterator does the
     * same but cost more than the checks themselves).
     */
    private void walk(Group group, Map<String, Integer> occurrences, String version, boolean checkPrimitives,
                      List<MessageWarning> found) throws HL7Exception {
        for (String child : group.getNames()) {
            for (Structure structure : group.getAll(child)) {
                if (found.size() >= MAX) {
                    return;
                }
                if (structure instanceof Group inner) {
                    walk(inner, occurrences, version, checkPrimitives, found);
                    continue;
                }
                Segment segment = (Segment) structure;
                int n = occurrences.merge(segment.getName(), 1, Integer::sum);
                String name = n == 1 ? segment.getName() : segment.getName() + "(" + n + ")";
                if ("OBX".equals(segment.getName())) {
                    obx2Type(segment, name, version, found);
                }
                if (checkPrimitives) {
                    segment(segment, name, version, found);
                }
            }
        }
    }

    private void segment(Segment segment, String name, String version, List<MessageWarning> found) throws HL7Exception {
        int[] at = new int[3];
        for (int field = 1; field <= segment.numFields(); field++) {
            Type[] reps = segment.getField(field);
            for (int rep = 0; rep < reps.length; rep++) {
                at[0] = field;
                at[1] = rep;
                type(reps[rep], name, at, 0, version, found);
            }
        }
    }

    /**
     * depth 0: a field, 1: a component, 2: a subcomponent (deeper nesting is not HL7 and not checked). The location
     * ({@code at}: field, repetition, component, subcomponent) is only written out for a value that fails: building
     * it for every component cost more than the checks.
     */
    private void type(Type type, String segment, int[] at, int depth, String version, List<MessageWarning> found) {
        if (type instanceof Varies varies) {
            type(varies.getData(), segment, at, depth, version, found);
        } else if (type instanceof Composite composite && depth < 2) {
            Type[] parts = composite.getComponents();
            int[] inner = java.util.Arrays.copyOf(at, 2 + depth + 1);
            for (int i = 0; i < parts.length; i++) {
                inner[2 + depth] = i + 1;
                type(parts[i], segment, inner, depth + 1, version, found);
            }
        } else if (type instanceof Primitive primitive) {
            primitive(primitive, segment, at, depth, version, found);
        }
    }

    private void primitive(Primitive p, String segment, int[] at, int depth, String version, List<MessageWarning> found) {
        String value = p.getValue();
        if (value == null || value.isEmpty() || found.size() >= MAX) {
            return;
        }
        for (PrimitiveTypeRule rule : rules.getPrimitiveRules(version, p.getName(), p)) {
            ValidationException[] failures = rule.apply(value);
            if (failures != null && failures.length > 0) {
                found.add(new MessageWarning(location(segment, at, depth), "not a valid " + p.getName() + ": must be "
                        + expectation(rule), value.length()));
            }
        }
    }

    /** {@code PID-3[2].1}: segment, field, repetition when not the first, components. */
    private static String location(String segment, int[] at, int depth) {
        StringBuilder s = new StringBuilder(segment).append('-').append(at[0]);
        if (at[1] > 0) {
            s.append('[').append(at[1] + 1).append(']');
        }
        for (int i = 0; i < depth; i++) {
            s.append('.').append(at[2 + i]);
        }
        return s.toString();
    }

    /** What the rule wants, in its own words, without the value (HAPI's messages quote it). */
    private static String expectation(PrimitiveTypeRule rule) {
        if (rule instanceof PredicateRuleSupport<?> predicate) {
            return predicate.getPredicate().getDescription();
        }
        String description = rule.getDescription();
        return description == null ? rule.getClass().getSimpleName()
                : description.replace("'%s'", "").replace("%s", "").replaceAll("\\s+", " ").strip();
    }

    private void messageRules(Message message, String version, List<MessageWarning> found) throws HL7Exception {
        Terser terser = new Terser(message);
        for (MessageRule rule : rules.getMessageRules(version, terser.get("MSH-9-1"), terser.get("MSH-9-2"))) {
            for (ValidationException e : rule.apply(message)) {
                // These rules speak of segments and groups, not of values.
                String where = e.getLocation() == null ? "message" : e.getLocation().toString();
                found.add(new MessageWarning(where.isEmpty() ? "message" : where, clip(e.getMessage()), null));
            }
        }
    }

    /**
     * OBX-2 naming a type the version does not define (withdrawn like CE in 2.7+, not yet defined like CWE before 2.5,
     * or no HL7 type at all): read as the nearest version defines it, or as ST, and say so.
     */
    private void obx2Type(Segment obx, String name, String version, List<MessageWarning> found) throws HL7Exception {
        Type[] reps = obx.getField(2);
        if (reps.length == 0 || !(reps[0] instanceof Primitive type) || type.getValue() == null || type.getValue().isEmpty()) {
            return;
        }
        String code = type.getValue();
        if (types.defines(code, version)) {
            return;
        }
        var from = types.versionDefining(code, version);
        if (from.isPresent() && TYPE_CODE.matcher(code).matches()) {
            found.add(new MessageWarning(name + "-2", "data type " + code + " is not defined in version " + version
                    + "; OBX-5 read as " + code + " of version " + from.get(), code.length()));
        } else {
            found.add(new MessageWarning(name + "-2", "not an HL7 data type; OBX-5 read as ST", code.length()));
        }
    }

    /** An OBX with a value but no type: HAPI refuses it; lenient parsing reads the value as ST. */
    private static void emptyObx2(String text, char fieldSeparator, List<MessageWarning> found) {
        int n = 0;
        String separator = Pattern.quote(String.valueOf(fieldSeparator));
        for (String segment : text.split("\r")) {
            if (!segment.startsWith("OBX")) {
                continue;
            }
            n++;
            String[] fields = segment.split(separator, 7);
            if (fields.length > 5 && fields[2].isEmpty() && !fields[5].isEmpty()) {
                found.add(new MessageWarning(n == 1 ? "OBX-2" : "OBX(" + n + ")-2",
                        "empty while OBX-5 is valued; OBX-5 read as ST", 0));
            }
        }
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
