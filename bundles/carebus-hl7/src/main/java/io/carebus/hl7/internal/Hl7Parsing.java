package io.carebus.hl7.internal;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Version;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.ParserConfiguration;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.idgenerator.IDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.store.MessageWarning;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a listener parses HL7v2 with HAPI. {@link ValidationMode#LENIENT}: HAPI's primitive validation off, OBX-5 of an
 * OBX without (or with an unknown) OBX-2 read as ST, withdrawn data types taken from the nearest version that has them,
 * a structure HAPI cannot fill read generically ({@link GenericMessage}); every problem found is a
 * {@link MessageWarning}. {@link ValidationMode#STRICT}: HAPI validates while it parses ({@link DatatypeValidation})
 * and a failure refuses the message, as before lenient intake existed; withdrawn data types and Z-segments are
 * accepted in both.
 */
final class Hl7Parsing implements AutoCloseable {

    /** A parsed message and what was wrong with it. {@code message} is null when HAPI could not read it at all. */
    record Result(Message message, List<MessageWarning> warnings) {
    }

    private final ValidationMode mode;
    private final HapiContext hapi;
    private final LenientModelClassFactory types;
    private final IntakeWarnings warnings;

    Hl7Parsing(ValidationMode mode, IDGenerator ids) {
        this.mode = mode;
        this.types = new LenientModelClassFactory();
        ParserConfiguration config = new ParserConfiguration();
        config.setIdGenerator(ids);
        if (mode == ValidationMode.LENIENT) {
            // ST is what HL7 calls an untyped string; the warning says it was guessed.
            config.setDefaultObx2Type("ST");
            config.setInvalidObx2Type("ST");
        }
        this.hapi = new DefaultHapiContext(config,
                mode == ValidationMode.STRICT ? new DatatypeValidation() : ValidationContextFactory.noValidation(), types);
        this.warnings = new IntakeWarnings(new DatatypeValidation(), types);
    }

    /** The lenient parser without intake (processing re-reads stored messages with it). */
    static Hl7Parsing lenient() {
        return new Hl7Parsing(ValidationMode.LENIENT, new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    }

    ValidationMode mode() {
        return mode;
    }

    PipeParser pipeParser() {
        return hapi.getPipeParser();
    }

    /**
     * @param text a structurally sound message (checked by the intake), segments separated by CR
     * @throws HL7Exception in strict mode when HAPI refuses it; lenient mode does not throw
     */
    Result parse(String text) throws HL7Exception {
        char fieldSeparator = text.length() > 3 ? text.charAt(3) : '|';
        if (mode == ValidationMode.STRICT) {
            Message message = hapi.getPipeParser().parse(text);
            return new Result(message, warnings.of(message, text, fieldSeparator, false));
        }
        Message message;
        List<MessageWarning> found = new ArrayList<>();
        try {
            message = hapi.getPipeParser().parse(text);
        } catch (HL7Exception | RuntimeException e) {
            // The structure HAPI chose for MSH-9 cannot hold the message: its segments, without groups, still can.
            found.add(new MessageWarning(where(e), "does not fit HAPI's message structure (" + e.getClass().getSimpleName()
                    + "); the message was read without groups", null));
            message = generic(text, found);
        }
        if (message != null) {
            found.addAll(warnings.of(message, text, fieldSeparator, true));
        }
        return new Result(message, found.size() > IntakeWarnings.MAX ? List.copyOf(found.subList(0, IntakeWarnings.MAX)) : found);
    }

    /**
     * Reads a stored message as lenient intake did (same fallbacks), without collecting warnings again: intake stored
     * them. Null when HAPI cannot read it at all.
     */
    Message read(String text) {
        try {
            return hapi.getPipeParser().parse(text);
        } catch (HL7Exception | RuntimeException e) {
            return generic(text, new ArrayList<>());
        }
    }

    private Message generic(String text, List<MessageWarning> found) {
        PipeParser parser = hapi.getPipeParser();
        try {
            Message message = Version.versionOf(parser.getVersion(text)).newGenericMessage(types);
            message.setParser(parser);
            parser.parse(message, text);
            return message;
        } catch (HL7Exception | RuntimeException e) {
            found.add(new MessageWarning(where(e), "HAPI cannot read the message (" + e.getClass().getSimpleName()
                    + "); it is stored as received, processing will report what fails", null));
            return null;
        }
    }

    /** Where HAPI says the problem is (segment and field), never its message, which may quote the value. */
    private static String where(Exception e) {
        if (e instanceof HL7Exception h && h.getLocation() != null && h.getLocation().getSegmentName() != null) {
            var l = h.getLocation();
            return l.getSegmentName() + (l.getField() > 0 ? "-" + l.getField() : "");
        }
        return "message";
    }

    @Override
    public void close() throws IOException {
        hapi.close();
    }
}
