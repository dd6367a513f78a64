package io.carebus.hl7.internal;

import java.nio.charset.Charset;
import java.util.List;
import java.util.Set;

/**
 * What one listener accepts. Empty {@code allowedMessageTypes} means every type; types match on the first one or two
 * components of MSH-9 ({@code ADT} or {@code ADT^A01}).
 *
 * @param requiredMshFields MSH field numbers that must be valued (MSH-9, -10 and -12 always are)
 * @param validation        lenient (data type problems are warnings) or strict (AE 102), see {@link ValidationMode}
 */
record ListenerRules(String listener, Set<String> allowedVersions, Set<String> allowedMessageTypes,
                     List<Integer> requiredMshFields, ValidationMode validation, Charset defaultCharset) {

    static final Set<String> ALL_VERSIONS = Set.of("2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1");

    boolean typeAllowed(String messageType) {
        if (allowedMessageTypes.isEmpty()) {
            return true;
        }
        String[] parts = messageType.split("\\^", -1);
        String code = parts[0];
        String codeAndEvent = parts.length > 1 ? code + "^" + parts[1] : code;
        return allowedMessageTypes.contains(code) || allowedMessageTypes.contains(codeAndEvent);
    }
}
