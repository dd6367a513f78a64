package io.carebus.hl7.internal;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.Version;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import java.io.IOException;

/**
 * Builds acknowledgements with HAPI (MSA-2 echoes MSH-10; ERR carries the HL7 error code). When the message itself
 * could not be parsed, the ACK is built from a clean copy of its MSH alone, so even a message HAPI refuses gets a
 * proper answer naming its control id.
 */
final class AckBuilder {

    private static final String FALLBACK_VERSION = "2.5";

    private final PipeParser headerParser;

    AckBuilder(PipeParser headerParser) {
        this.headerParser = headerParser;
    }

    String build(MshHeader msh, Message parsed, AcknowledgmentCode code, Rejection rejection) throws HL7Exception, IOException {
        Message source = parsed != null ? parsed : headerOnly(msh);
        HL7Exception error = rejection == null ? null : new HL7Exception(rejection.text(), rejection.code());
        Message ack = source.generateACK(code, error);
        if (rejection != null) {
            new Terser(ack).set("MSA-3", clean(rejection.text(), 80));
        }
        return ack.encode();
    }

    /** MSH rebuilt with standard delimiters from the first components of what was received. */
    private Message headerOnly(MshHeader msh) throws HL7Exception {
        String version = Version.supportsVersion(msh.versionId()) ? msh.versionId() : FALLBACK_VERSION;
        String type = msh.messageType().isBlank() ? "ACK" : clean(msh.messageType().replace('^', ' '), 40).replace(' ', '^');
        String processingId = msh.component1(11).isBlank() ? "P" : clean(msh.component1(11), 3);
        String segment = String.join("|", "MSH", "^~\\&", clean(msh.component1(3), 180), clean(msh.component1(4), 180),
                clean(msh.component1(5), 180), clean(msh.component1(6), 180), clean(msh.field(7), 26), "",
                type, clean(msh.controlId(), 199), processingId, version) + "\r";
        return headerParser.parse(segment);
    }

    /** Removes characters that would break the ACK's structure (delimiters, control characters). */
    static String clean(String s, int max) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '|' && c != '^' && c != '~' && c != '\\' && c != '&') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
