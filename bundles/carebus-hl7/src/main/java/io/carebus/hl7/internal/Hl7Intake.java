package io.carebus.hl7.internal;

import io.carebus.api.audit.AwaitedAuditTrail;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import io.carebus.api.store.MessageWarning;
import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageStore.StoreResult;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HL7v2 frame in, one answer out: read the MSH, check the listener's rules and the message's structure, parse with
 * HAPI, store durably (the message with the problems found in it as warnings, or the refused message with its reason),
 * and only then build the acknowledgement. In lenient mode (the default) the answer depends on structure alone: a
 * message that breaks data type rules is accepted with warnings; in strict mode it is refused as HAPI's validation
 * decides. A positive ACK is only ever built from a successful {@link MessageStore#store}; when the store fails the
 * sender gets AE/CE 207 and must resend.
 */
final class Hl7Intake {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Intake.class);
    /**
     * A refused frame is kept for diagnosis only up to this many bytes: enough for every header and the start of the
     * content, and an unauthenticated sender cannot make the store write 10 MB per refusal.
     */
    static final int REFUSED_PREFIX_BYTES = 64 * 1024;
    /** Marks the reason of a refused message whose stored payload is only a prefix of what arrived. */
    static final String TRUNCATED = "[truncated:";
    private static final byte[] NO_BYTES = new byte[0];
    private static final String PROTOCOL = "HL7v2";
    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Z][A-Z0-9]{2}");
    /** What a NAK to a frame without MSH answers to: standard delimiters, processing id P, version 2.5, nothing else. */
    private static final MshHeader NO_MSH = MshHeader.read(("MSH|^~\\&" + "|".repeat(8) + "|P|2.5\r")
            .getBytes(StandardCharsets.US_ASCII)).orElseThrow();

    private final ListenerRules rules;
    private final MessageStore store;
    private final Hl7Parsing parsing;
    private final AckBuilder acks;
    private final Clock clock;
    private final Supplier<AuditTrail> audit;
    /** The trail by a deadline ({@link System#nanoTime()} scale), waiting for one to bind; null if none came. */
    private final LongFunction<AuditTrail> awaitAudit;
    /** How long a frame waits for a missing trail; negative: the record is optional (no wait, no refusal). */
    private final long auditWaitNanos;

    /** Without an audit trail, and none required: for tests of everything else the intake decides. */
    Hl7Intake(ListenerRules rules, MessageStore store, Hl7Parsing parsing, PipeParser headerParser, Clock clock) {
        this(rules, store, parsing, headerParser, clock, () -> null);
    }

    /**
     * @param audit the audit trail when one is running (else null): every answered frame is recorded before the
     *              answer; without one, frames are answered unaudited (audit.required = false)
     */
    Hl7Intake(ListenerRules rules, MessageStore store, Hl7Parsing parsing, PipeParser headerParser, Clock clock,
              Supplier<AuditTrail> audit) {
        this(rules, store, parsing, headerParser, clock, audit, deadline -> audit.get(), -1);
    }

    /**
     * The audit record required (audit.required = true, the default): a frame that finds no trail waits up to
     * {@code auditWait} for one to bind, then is answered AE/CE 207 "audit unavailable, please resend" and nothing
     * is stored, exactly as in a store outage.
     */
    Hl7Intake(ListenerRules rules, MessageStore store, Hl7Parsing parsing, PipeParser headerParser, Clock clock,
              AwaitedAuditTrail audit, Duration auditWait) {
        this(rules, store, parsing, headerParser, clock, audit::current, audit::await, Math.max(0, auditWait.toNanos()));
    }

    private Hl7Intake(ListenerRules rules, MessageStore store, Hl7Parsing parsing, PipeParser headerParser, Clock clock,
                      Supplier<AuditTrail> audit, LongFunction<AuditTrail> awaitAudit, long auditWaitNanos) {
        this.audit = audit;
        this.awaitAudit = awaitAudit;
        this.auditWaitNanos = auditWaitNanos;
        this.rules = rules;
        this.store = store;
        this.parsing = parsing;
        this.acks = new AckBuilder(headerParser);
        this.clock = clock;
    }

    IntakeOutcome handle(byte[] frame, String remoteAddress) {
        return handle(frame, remoteAddress, auditDeadline());
    }

    /** When a frame arriving now stops waiting for a missing audit trail (one deadline serves a whole batch). */
    long auditDeadline() {
        return System.nanoTime() + Math.max(0, auditWaitNanos);
    }

    /** @param auditDeadline see {@link #auditDeadline()}: a batch's messages share their frame's wait */
    IntakeOutcome handle(byte[] frame, String remoteAddress, long auditDeadline) {
        AuditTrail trail = audit.get();
        if (trail == null && auditWaitNanos >= 0) {
            trail = awaitAudit.apply(auditDeadline);
            if (trail == null) {
                // As in a store outage: nothing is kept that the sender would take as acknowledged; its resend after
                // the trail is back is a new message.
                LOG.warn("Listener {}: no audit trail running after {} ms; frame not stored, answered 207", rules.listener(),
                        auditWaitNanos / 1_000_000);
                return asked(frame, resend(frame, -1, "audit unavailable, please resend"));
            }
        }
        IntakeOutcome outcome = audited(frame, remoteAddress, trail, asked(frame, answerFor(frame, remoteAddress, trail)));
        if (outcome.unsynced() != null) {
            try {
                outcome.unsynced().awaitDurable();
            } catch (StoreUnavailableException e) {
                // Committed but not confirmed on disk: no AA. The row resumes after a restart like any other, and the
                // sender's resend is recognised as its duplicate.
                LOG.error("Listener {}: message {} could not be forced to disk: {}; answered 207", rules.listener(),
                        outcome.messageId(), e.getMessage());
                return asked(frame, resend(frame, outcome.messageId(), "message not stored durably, please resend"));
            }
        }
        return asked(frame, outcome);
    }

    /** The answer, unless the message's MSH-15 asks for no accept ACK of its kind (enhanced mode: NE, ER, SU). */
    private static IntakeOutcome asked(byte[] frame, IntakeOutcome outcome) {
        if (outcome.ack() == null) {
            return outcome;
        }
        Optional<MshHeader> msh = MshHeader.read(frame);
        return msh.isPresent() && !msh.get().wantsAcceptAck(outcome.ackCode()) ? outcome.withoutAnswer() : outcome;
    }

    /** AE/CE 207 "please resend" (saying why) for a frame whose MSH is readable; otherwise the connection is closed. */
    private IntakeOutcome resend(byte[] frame, long messageId, String why) {
        Optional<MshHeader> msh = MshHeader.read(frame);
        if (msh.isEmpty()) {
            return IntakeOutcome.close(messageId);
        }
        Charset charset = Hl7Charsets.forMsh18(msh.get().field(18), repetitionSeparator(msh.get()), rules.defaultCharset())
                .orElse(Hl7Charsets.DEFAULT);
        return answer(msh.get(), null, msh.get().enhancedMode() ? AcknowledgmentCode.CE : AcknowledgmentCode.AE,
                Rejection.error(ErrorCode.APPLICATION_INTERNAL_ERROR, why), charset,
                messageId, false);
    }

    /**
     * Records the frame and the answer in the audit trail (durably) before the answer goes out, so no acknowledged
     * message lacks its record. When the audit cannot take it, an accepted message is answered AE/CE 207 instead: it
     * is stored, and the sender's resend is recognised as a duplicate.
     */
    private IntakeOutcome audited(byte[] frame, String remoteAddress, AuditTrail trail, IntakeOutcome outcome) {
        if (trail == null || outcome.audited()) {
            return outcome;
        }
        boolean accepted = "AA".equals(outcome.ackCode()) || "CA".equals(outcome.ackCode());
        AuditRecord record = record(trail, frame, remoteAddress, outcome);
        try {
            trail.append(record);
            return outcome;
        } catch (RuntimeException e) {
            LOG.error("Listener {}: audit record for message {} not stored: {}", rules.listener(), outcome.messageId(), e.getMessage());
            if (!accepted) {
                return outcome;
            }
            Optional<MshHeader> msh = MshHeader.read(frame);
            if (msh.isEmpty()) {
                return IntakeOutcome.close(outcome.messageId());
            }
            Rejection notAudited = Rejection.error(ErrorCode.APPLICATION_INTERNAL_ERROR, "audit unavailable, please resend");
            Charset charset = Hl7Charsets.forMsh18(msh.get().field(18), repetitionSeparator(msh.get()), rules.defaultCharset())
                    .orElse(Hl7Charsets.DEFAULT);
            return answer(msh.get(), null, msh.get().enhancedMode() ? AcknowledgmentCode.CE : AcknowledgmentCode.AE, notAudited,
                    charset, outcome.messageId(), false);
        }
    }


    /** The RECEIVE record of a frame and its answer (as sent: after MSH-15 was applied). */
    private AuditRecord record(AuditTrail trail, byte[] frame, String remoteAddress, IntakeOutcome outcome) {
        boolean accepted = "AA".equals(outcome.ackCode()) || "CA".equals(outcome.ackCode());
        String detail = (outcome.ackCode() == null ? "connection closed"
                : outcome.unanswered() ? outcome.ackCode() + ", not sent (MSH-15)" : "answered " + outcome.ackCode())
                + (outcome.duplicate() ? " (duplicate)" : "")
                + (outcome.warning() == null ? "" : "; warning: " + outcome.warning())
                + (outcome.warnings() == 0 ? "" : "; " + outcome.warnings() + " data warning" + (outcome.warnings() == 1 ? "" : "s"));
        return new AuditRecord(clock.instant(), trail.nodeId(), "hl7-listener:" + rules.listener(), remoteAddress,
                AuditAction.RECEIVE, accepted ? AuditRecord.Outcome.SUCCESS : AuditRecord.Outcome.MINOR_FAILURE,
                outcome.messageId() >= 0 ? List.of("message/" + outcome.messageId()) : List.of(), null, null,
                Sha256.hash(frame), outcome.ack() == null ? null : Sha256.hash(outcome.ack()), detail);
    }

    private IntakeOutcome answerFor(byte[] frame, String remoteAddress, AuditTrail trail) {
        Instant at = clock.instant();
        Optional<MshHeader> header = MshHeader.read(frame);
        if (header.isEmpty()) {
            long id = -1;
            String reason = MshHeader.isBatch(frame)
                    ? "an HL7 batch (FHS/BHS) with no message (MSH segment) in it"
                    : "not HL7v2: the frame does not start with an MSH segment";
            try {
                if (frame.length > 0) {
                    id = storeRejected(new InboundMessage(rules.listener(), remoteAddress, PROTOCOL, null, null, null, null, at,
                            NO_BYTES), frame, reason);
                }
            } catch (StoreUnavailableException e) {
                // Not kept: no answer, so the sender keeps it and sends it again once the store is back.
                LOG.error("Listener {}: could not store a frame without MSH, connection closed: {}", rules.listener(), e.getMessage());
                return IntakeOutcome.close(-1);
            }
            // The frame itself was well formed, so the connection is still in step: an AR with no MSA-2 tells an MLLP
            // sender this message will never be accepted (it moves on instead of resending it forever), and the
            // connection stays open for its next one.
            LOG.warn("Listener {}: frame of {} bytes from {} has no MSH segment; stored as message {}{}, answered AR",
                    rules.listener(), frame.length, remoteAddress, id, kept(frame.length));
            return answer(NO_MSH, null, AcknowledgmentCode.AR, Rejection.reject(ErrorCode.SEGMENT_SEQUENCE_ERROR, reason),
                    StandardCharsets.US_ASCII, id, false);
        }
        MshHeader msh = header.get();
        InboundMessage inbound = new InboundMessage(rules.listener(), remoteAddress, PROTOCOL, nullIfEmpty(msh.messageType()),
                nullIfEmpty(msh.versionId()), nullIfEmpty(msh.controlId()), msh.sender(), at, frame);
        // A byte order mark says UTF-8 where MSH-18 says nothing
        Charset charset = Hl7Charsets.forMsh18(msh.field(18), repetitionSeparator(msh),
                        MshHeader.hasUtf8Bom(frame) ? StandardCharsets.UTF_8 : rules.defaultCharset())
                .orElse(Hl7Charsets.DEFAULT);

        Rejection rejection = checkHeader(msh);
        String text = null;
        Message parsed = null;
        List<MessageWarning> warnings = List.of();
        if (rejection == null) {
            try {
                text = MshHeader.fromMsh(decodeStrictly(frame, charset));
                rejection = checkSegments(text, msh.field(1).charAt(0));
            } catch (CharacterCodingException e) {
                rejection = Rejection.error(ErrorCode.DATA_TYPE_ERROR, "bytes invalid in character set " + charset.name() + " (MSH-18)");
            }
        }
        if (rejection == null) {
            try {
                Hl7Parsing.Result result = parsing.parse(text.replace("\n", "\r").replace("\r\r", "\r"));
                parsed = result.message();
                warnings = result.warnings();
            } catch (HL7Exception e) {
                rejection = Rejection.error(parseErrorCode(e), "cannot parse: " + e.getMessage());
            } catch (RuntimeException e) {
                rejection = Rejection.error(ErrorCode.APPLICATION_INTERNAL_ERROR, "cannot parse: " + e);
            }
        }
        boolean enhanced = msh.enhancedMode();
        try {
            if (rejection != null) {
                long id = storeRejected(inbound, frame, rejection.code().getCode() + " " + rejection.text());
                LOG.warn("Listener {}: message {} (control id {}) refused with {} {}{}", rules.listener(), id, msh.controlId(),
                        rejection.reject() ? "reject" : "error", rejection.code().getCode(), kept(frame.length));
                LOG.debug("Listener {}: message {} refused because: {}", rules.listener(), id, rejection.text());
                AcknowledgmentCode code = rejection.reject() ? (enhanced ? AcknowledgmentCode.CR : AcknowledgmentCode.AR)
                        : (enhanced ? AcknowledgmentCode.CE : AcknowledgmentCode.AE);
                return answer(msh, parsed, code, rejection, charset, id, false);
            }
            AcknowledgmentCode code = enhanced ? AcknowledgmentCode.CA : AcknowledgmentCode.AA;
            IntakeOutcome unit = storedWithRecord(trail, frame, remoteAddress, msh, parsed, code, charset, inbound, warnings);
            if (unit != null) {
                return unit;
            }
            // With a store that can defer its forced write, the row is only committed here: the audit record's
            // forced write right after covers it when both share the database (the default), so an accepted message
            // costs one sync, not two; handle() waits for it before the answer goes out.
            io.carebus.store.DeferredSyncStore.Committed committed = null;
            StoreResult stored;
            if (store instanceof io.carebus.store.DeferredSyncStore deferring) {
                committed = deferring.storeCommitted(inbound, warnings);
                stored = committed.result();
            } else {
                stored = store.store(inbound, warnings);
            }
            if (!warnings.isEmpty()) {
                // locations and rules only, no values: still DEBUG, one line per message is a lot at full rate
                LOG.debug("Listener {}: message {} accepted with {} warning(s): {}", rules.listener(), stored.messageId(),
                        warnings.size(), warnings);
            }
            // Same sender and control id as an earlier message but other content: processed like any message (it is
            // no duplicate), with the warning in its history (the store's) and in its audit record.
            return answer(msh, parsed, code, null, charset, stored.messageId(), stored.duplicate())
                    .withAccepted(new Hl7Dispatcher.Pending(stored.messageId(), inbound, parsed)).withUnsynced(committed)
                    .withWarning(StoreResult.collisionWarning(inbound.controlId(), stored.collidesWith()))
                    .withWarnings(warnings.size());
        } catch (StoreUnavailableException e) {
            LOG.error("Listener {}: could not store message (control id {}): {}; answered 207, the sender must resend",
                    rules.listener(), msh.controlId(), e.getMessage());
            Rejection notStored = Rejection.error(ErrorCode.APPLICATION_INTERNAL_ERROR, "message not stored, please resend");
            return answer(msh, parsed, enhanced ? AcknowledgmentCode.CE : AcknowledgmentCode.AE, notStored, charset, -1, false);
        }
    }

    /**
     * An accepted message stored in one unit of work with its RECEIVE record: one transaction, one forced write (H2 or
     * PostgreSQL), the record chained inside the store's writer. Null when the store or the trail cannot do that
     * (the caller then stores, and {@link #audited} appends the record after). The answer is built first: it does not
     * depend on what the store decides (a duplicate is acknowledged like the original), and the record holds its hash.
     */
    private IntakeOutcome storedWithRecord(AuditTrail trail, byte[] frame, String remoteAddress, MshHeader msh, Message parsed,
                                           AcknowledgmentCode code, Charset charset, InboundMessage inbound,
                                           List<MessageWarning> warnings) {
        if (trail == null || !(store instanceof io.carebus.api.store.UnitOfWorkStore unitStore)) {
            return null;
        }
        IntakeOutcome answered = answer(msh, parsed, code, null, charset, -1, false);
        if (answered.ack() == null) {
            return null;
        }
        java.util.function.Function<StoreResult, IntakeOutcome> outcome = stored -> new IntakeOutcome(answered.ack(), false,
                stored.messageId(), code.name(), stored.duplicate())
                .withWarning(StoreResult.collisionWarning(inbound.controlId(), stored.collidesWith()))
                .withWarnings(warnings.size());
        Optional<io.carebus.api.store.UnitParticipant> record = trail.recordWith(
                stored -> record(trail, frame, remoteAddress, asked(frame, outcome.apply(stored))));
        if (record.isEmpty()) {
            return null;
        }
        StoreResult stored = unitStore.store(inbound, warnings, record.get());
        if (!warnings.isEmpty()) {
            LOG.debug("Listener {}: message {} accepted with {} warning(s): {}", rules.listener(), stored.messageId(),
                    warnings.size(), warnings);
        }
        return outcome.apply(stored).withAccepted(new Hl7Dispatcher.Pending(stored.messageId(), inbound, parsed)).withAudited();
    }

    /**
     * A batch with more messages than the listener takes in one frame: refused as a whole before any of its messages
     * is parsed or stored on its own. The frame (its first {@value #REFUSED_PREFIX_BYTES} bytes) is stored as ERROR and
     * audited; the answer is an AR without MSA-2 (it answers no single message), which the listener wraps in a batch.
     */
    IntakeOutcome refuseBatch(byte[] frame, String remoteAddress, int messages, int maxMessages) {
        // short enough for MSA-3 (80 characters)
        String reason = "HL7 batch of " + messages + " messages, over max.batch.messages = " + maxMessages;
        long id;
        try {
            id = storeRejected(new InboundMessage(rules.listener(), remoteAddress, PROTOCOL, null, null, null, null,
                    clock.instant(), NO_BYTES), frame, ErrorCode.APPLICATION_INTERNAL_ERROR.getCode() + " " + reason);
        } catch (StoreUnavailableException e) {
            LOG.error("Listener {}: could not store a refused batch, connection closed: {}", rules.listener(), e.getMessage());
            return IntakeOutcome.close(-1);
        }
        LOG.warn("Listener {}: batch of {} messages from {} refused (max.batch.messages = {}); stored as message {}{}",
                rules.listener(), messages, remoteAddress, maxMessages, id, kept(frame.length));
        IntakeOutcome outcome = answer(NO_MSH, null, AcknowledgmentCode.AR,
                Rejection.reject(ErrorCode.APPLICATION_INTERNAL_ERROR, reason), StandardCharsets.US_ASCII, id, false);
        return audited(frame, remoteAddress, audit.get(), outcome);
    }

    /**
     * A frame larger than the listener accepts: what was read (its start) is stored as ERROR, and the sender gets a
     * reject (AR/CR, 207) when its MSH was readable; the connection is closed either way. Returns the ACK or null.
     */
    byte[] oversize(byte[] head, String remoteAddress, int maxFrameBytes) {
        String reason = "frame larger than this listener accepts (max.frame.bytes = " + maxFrameBytes + ")";
        Optional<MshHeader> header = MshHeader.read(head);
        InboundMessage inbound = header.map(msh -> new InboundMessage(rules.listener(), remoteAddress, PROTOCOL,
                nullIfEmpty(msh.messageType()), nullIfEmpty(msh.versionId()), nullIfEmpty(msh.controlId()), msh.sender(),
                clock.instant(), NO_BYTES)).orElse(new InboundMessage(rules.listener(), remoteAddress, PROTOCOL, null, null, null,
                null, clock.instant(), NO_BYTES));
        long id = -1;
        try {
            id = storeRejected(inbound, head, ErrorCode.APPLICATION_INTERNAL_ERROR.getCode() + " " + reason);
        } catch (StoreUnavailableException e) {
            LOG.error("Listener {}: could not store the start of an oversize frame: {}", rules.listener(), e.getMessage());
        }
        LOG.warn("Listener {}: frame from {} exceeds {} bytes; stored its start as message {}{}, refused", rules.listener(),
                remoteAddress, maxFrameBytes, id, kept(head.length));
        if (header.isEmpty()) {
            return null;
        }
        MshHeader msh = header.get();
        Charset charset = Hl7Charsets.forMsh18(msh.field(18), repetitionSeparator(msh), rules.defaultCharset()).orElse(Hl7Charsets.DEFAULT);
        Rejection rejection = Rejection.reject(ErrorCode.APPLICATION_INTERNAL_ERROR,
                "message larger than this listener accepts (" + maxFrameBytes + " bytes)");
        IntakeOutcome outcome = answer(msh, null, msh.enhancedMode() ? AcknowledgmentCode.CR : AcknowledgmentCode.AR, rejection,
                charset, id, false);
        return outcome.closeConnection() ? null : outcome.ack();
    }

    private IntakeOutcome answer(MshHeader msh, Message parsed, AcknowledgmentCode code, Rejection rejection, Charset charset,
                                 long id, boolean duplicate) {
        try {
            String ack = acks.build(msh, parsed, code, rejection);
            return new IntakeOutcome(ack.getBytes(charset), false, id, code.name(), duplicate);
        } catch (Exception e) {
            // An ACK HAPI cannot build (exotic MSH): closing is the only honest answer left; the message is stored.
            LOG.error("Listener {}: could not build the {} acknowledgement for message {}: {}", rules.listener(), code, id, e.toString());
            return IntakeOutcome.close(id);
        }
    }

    private Rejection checkHeader(MshHeader msh) {
        String enc = msh.encodingCharacters();
        if (enc.length() < 3 || enc.length() > 5 || enc.chars().distinct().count() != enc.length()
                || enc.chars().anyMatch(c -> Character.isLetterOrDigit(c) || Character.isWhitespace(c) || c == msh.field(1).charAt(0))) {
            return Rejection.reject(ErrorCode.DATA_TYPE_ERROR, "invalid encoding characters in MSH-2");
        }
        if (msh.versionId().isEmpty()) {
            return Rejection.reject(ErrorCode.UNSUPPORTED_VERSION_ID, "MSH-12 (version id) is empty");
        }
        if (!rules.allowedVersions().contains(msh.versionId())) {
            return Rejection.reject(ErrorCode.UNSUPPORTED_VERSION_ID, "unsupported version id " + AckBuilder.clean(msh.versionId(), 20));
        }
        if (msh.messageType().replace("^", "").isEmpty()) {
            return Rejection.reject(ErrorCode.REQUIRED_FIELD_MISSING, "MSH-9 (message type) is empty");
        }
        if (!rules.typeAllowed(msh.messageType())) {
            return Rejection.reject(ErrorCode.UNSUPPORTED_MESSAGE_TYPE, "message type " + AckBuilder.clean(msh.messageType(), 40)
                    + " is not accepted on listener " + rules.listener());
        }
        if (msh.controlId().isEmpty()) {
            return Rejection.reject(ErrorCode.REQUIRED_FIELD_MISSING, "MSH-10 (message control id) is empty");
        }
        for (int field : rules.requiredMshFields()) {
            if (msh.field(field).isEmpty()) {
                return Rejection.error(ErrorCode.REQUIRED_FIELD_MISSING, "MSH-" + field + " is required on listener " + rules.listener());
            }
        }
        return null;
    }

    /** Segment ids HAPI would quietly accept as unknown segments, and NUL bytes, are refused here. */
    private static Rejection checkSegments(String text, char fieldSeparator) {
        if (text.indexOf('\0') >= 0) {
            return Rejection.error(ErrorCode.DATA_TYPE_ERROR, "the message contains NUL bytes");
        }
        int n = 0;
        for (String segment : text.split("[\r\n]+")) {
            if (segment.isBlank()) {
                continue;
            }
            n++;
            String id = segment.length() >= 3 ? segment.substring(0, 3) : segment;
            boolean endsWell = segment.length() <= 3 || segment.charAt(3) == fieldSeparator;
            if (!SEGMENT_ID.matcher(id).matches() || !endsWell) {
                return Rejection.error(ErrorCode.SEGMENT_SEQUENCE_ERROR, "segment " + n + " has an invalid segment id '"
                        + AckBuilder.clean(id, 3) + "'");
            }
        }
        return null;
    }

    /** HAPI wraps validation failures; those are data type errors (102), not internal errors. */
    private static ErrorCode parseErrorCode(HL7Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ca.uhn.hl7v2.validation.ValidationException || t instanceof ca.uhn.hl7v2.model.DataTypeException) {
                return ErrorCode.DATA_TYPE_ERROR;
            }
        }
        return e.getErrorCode() == 0 || e.getErrorCode() == ErrorCode.MESSAGE_ACCEPTED.getCode()
                ? ErrorCode.APPLICATION_INTERNAL_ERROR : ErrorCode.errorCodeFor(e.getErrorCode());
    }

    private static String decodeStrictly(byte[] frame, Charset charset) throws CharacterCodingException {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(frame)).toString();
    }

    /**
     * Stores a refused message: what {@code message} says about it, with at most the first
     * {@value #REFUSED_PREFIX_BYTES} bytes of {@code received} as its payload; a shortened one says so in its reason.
     */
    private long storeRejected(InboundMessage message, byte[] received, String reason) {
        boolean truncated = received.length > REFUSED_PREFIX_BYTES;
        InboundMessage kept = new InboundMessage(message.listener(), message.remoteAddress(), message.protocol(),
                message.messageType(), message.versionId(), message.controlId(), message.sender(), message.receivedAt(),
                truncated ? java.util.Arrays.copyOf(received, REFUSED_PREFIX_BYTES) : received);
        // the mark goes last, so the reason is shortened first: the store cuts errors at 4,000 characters
        return store.storeRejected(kept, truncated ? reason.substring(0, Math.min(reason.length(), 3_000)) + " " + TRUNCATED
                + " only the first " + REFUSED_PREFIX_BYTES + " of " + received.length + " bytes received were kept]" : reason);
    }

    /** For a warning: that only a prefix of the frame was stored. */
    private static String kept(int receivedLength) {
        return receivedLength > REFUSED_PREFIX_BYTES ? " (truncated: its first " + REFUSED_PREFIX_BYTES + " bytes kept)" : "";
    }

    private static char repetitionSeparator(MshHeader msh) {
        String enc = msh.encodingCharacters();
        return enc.length() > 1 ? enc.charAt(1) : '~';
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
