package io.carebus.hl7.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import io.carebus.api.store.MessageWarning;
import io.carebus.hl7.internal.fhir.Hl7FhirMapper;
import io.carebus.hl7.internal.fhir.MappingWarning;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stored HL7v2 message to its canonical FHIR R4 form (JSON). Intake already recorded what is wrong with the message,
 * so it is parsed here leniently (as intake's lenient mode does); its bytes are decoded per MSH-18, and when MSH-18 is empty as UTF-8 if they are
 * valid UTF-8 (else ISO-8859-1, HL7's default).
 */
final class CanonicalForm {

    /**
     * @param warnings what the mapping left out, as the message's warnings ({@code Completion.mappingWarnings}):
     *        place, problem and length, never the value
     */
    record Result(String json, List<String> patientIdentifiers, List<MessageWarning> warnings) {
    }

    /** Since start, per listener: mapped messages whose mapping left something out, and how many warnings (health). */
    record WarningCounts(long messagesWithWarnings, long warnings) {
    }

    /** The listeners' lenient parser, so a stored message is read as intake read it (same fallbacks). */
    private final Hl7Parsing hapi = Hl7Parsing.lenient();
    private final FhirContext fhir;
    private final Hl7FhirMapper mapper;
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();

    CanonicalForm(FhirContext fhir, ZoneId zone) {
        this.fhir = fhir;
        this.mapper = new Hl7FhirMapper(zone);
    }

    Message parse(byte[] payload) throws HL7Exception {
        Message message = hapi.read(MshHeader.fromMsh(text(payload)).replace("\n", "\r").replace("\r\r", "\r"));
        if (message == null) {
            throw new HL7Exception("HAPI cannot read this message (see its intake warnings)");
        }
        return message;
    }

    /** Empty when the message type has no canonical mapping (see the bundle README). */
    Optional<Result> of(Message message, String key) throws HL7Exception {
        return of(message, key, null);
    }

    /**
     * As {@link #of(Message, String)}, counting the mapping's warnings for the listener the message came in on
     * ({@link #warningCounts}).
     */
    Optional<Result> of(Message message, String key, String listener) throws HL7Exception {
        Optional<Hl7FhirMapper.Mapped> mapped = mapper.map(message, key);
        if (mapped.isEmpty()) {
            return Optional.empty();
        }
        List<MessageWarning> warnings = mapped.get().warnings().stream().map(CanonicalForm::asMessageWarning).toList();
        if (listener != null && !warnings.isEmpty()) {
            long[] count = counts.computeIfAbsent(listener, l -> new long[2]);
            synchronized (count) {
                count[0]++;
                count[1] += warnings.size();
            }
        }
        IParser json = fhir.newJsonParser();
        return Optional.of(new Result(json.encodeResourceToString(mapped.get().bundle()), mapped.get().patientIdentifiers(),
                warnings));
    }

    WarningCounts warningCounts(String listener) {
        long[] count = counts.get(listener);
        if (count == null) {
            return new WarningCounts(0, 0);
        }
        synchronized (count) {
            return new WarningCounts(count[0], count[1]);
        }
    }

    /** Marked as the mapping's, so an operator tells them from what intake found in the same message. */
    static MessageWarning asMessageWarning(MappingWarning w) {
        return new MessageWarning(w.field(), "FHIR mapping: " + w.problem(), w.length() > 0 ? w.length() : null);
    }

    private static String text(byte[] payload) {
        MshHeader msh = MshHeader.read(payload).orElse(null);
        if (msh != null && !msh.field(18).isEmpty()) {
            String enc = msh.encodingCharacters();
            Charset charset = Hl7Charsets.forMsh18(msh.field(18), enc.length() > 1 ? enc.charAt(1) : '~', Hl7Charsets.DEFAULT)
                    .orElse(Hl7Charsets.DEFAULT);
            return new String(payload, charset);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return new String(payload, Hl7Charsets.DEFAULT);
        }
    }
}
