package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.validation.SingleValidationMessage;
import io.carebus.api.Sha256;
import io.carebus.api.XmlDeclarations;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FHIR POST in, one answer out: decode (UTF-8 only, as FHIR requires), refuse XML with a DTD or entity
 * declarations before any parser sees it, parse strictly with HAPI (unknown elements are errors), validate against the
 * R4 base definitions, store durably, and only then answer 202 with an OperationOutcome naming the stored message.
 * Refused input is stored too (status ERROR with the reason) so it can be reprocessed, and every answer is audited.
 */
public final class FhirIntake {

    private static final Logger LOG = LoggerFactory.getLogger(FhirIntake.class);
    static final String PROTOCOL = "FHIR";
    static final String LISTENER = "fhir";
    private static final Set<Bundle.BundleType> ACCEPTED_BUNDLES = Set.of(Bundle.BundleType.TRANSACTION, Bundle.BundleType.BATCH,
            Bundle.BundleType.COLLECTION, Bundle.BundleType.DOCUMENT, Bundle.BundleType.MESSAGE);
    private static final int MAX_LISTED_ISSUES = 50;
    /** Of a body over the cap, only this much is kept (as of a refused HL7v2 frame): enough to see what it was. */
    static final int REFUSED_PREFIX_BYTES = 64 * 1024;
    /** Marks the stored reason of a message of which only a prefix was kept: it cannot be reprocessed. */
    static final String TRUNCATED = "[truncated:";

    /** What to answer: the HTTP status and the OperationOutcome, and the stored message's id (or -1). */
    public record Answer(int status, OperationOutcome outcome, long messageId) {
    }

    private final FhirContext fhir;
    private final FhirValidation validation;
    private final MessageStore store;
    private final Clock clock;
    private final int maxBytes;
    private final Supplier<AuditTrail> audit;
    private final LongConsumer accepted;

    /**
     * @param accepted told the id of each message stored for processing (the dispatcher's queue)
     * @param audit the audit trail when one runs (else null)
     */
    public FhirIntake(FhirContext fhir, FhirValidation validation, MessageStore store, Clock clock, int maxBytes,
                      Supplier<AuditTrail> audit, LongConsumer accepted) {
        this.fhir = fhir;
        this.validation = validation;
        this.store = store;
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.audit = audit;
        this.accepted = accepted;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * @param body the request body; longer than {@link #maxBytes()} means it was cut there (the caller read one byte more)
     * @param pathType the resource type named in the URL ({@code POST /fhir/Observation}), or null for {@code POST /fhir}
     * @param requestId the client's request id ({@code X-Request-Id}), used with the user to recognise a resend
     */
    public Answer handle(byte[] body, String contentType, String pathType, String remote, String user, String requestId) {
        Answer answer = answerFor(body, contentType, pathType, remote, user, requestId);
        return audited(answer, body, remote, user);
    }

    /**
     * A request whose Content-Length is over {@link #maxBytes()}: answered 413 without reading it, so nothing of it is
     * stored; audited like every answer.
     */
    public Answer refuseUnread(long contentLength, String remote, String user) {
        LOG.warn("FHIR intake: request from {} declared {} bytes, over {}; refused with 413 unread", remote, contentLength, maxBytes);
        return audited(new Answer(413, error(OperationOutcome.IssueType.TOOLONG, "request body of " + contentLength
                + " bytes larger than this endpoint accepts (max " + maxBytes + " bytes); not read"), -1), new byte[0], remote, user);
    }

    private Answer answerFor(byte[] body, String contentType, String pathType, String remote, String user, String requestId) {
        if (body.length > maxBytes) {
            byte[] head = Arrays.copyOf(body, Math.min(maxBytes, REFUSED_PREFIX_BYTES));
            String reason = "request body larger than this endpoint accepts (max " + maxBytes + " bytes)";
            long id = storeRejected(head, null, remote, user, requestId, "413 " + reason + " " + TRUNCATED + " only its first "
                    + head.length + " bytes were kept]");
            LOG.warn("FHIR intake: request from {} refused with 413 (over {} bytes); its first {} bytes stored as message {}", remote,
                    maxBytes, head.length, id);
            return new Answer(413, error(OperationOutcome.IssueType.TOOLONG, reason + "; only its first " + head.length
                    + " bytes were kept"), id);
        }
        if (body.length == 0) {
            return refuse(400, OperationOutcome.IssueType.REQUIRED, "empty request body: POST a FHIR resource or Bundle",
                    body, null, remote, user, requestId);
        }
        boolean xml;
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.isEmpty() || type.contains("json")) {
            xml = false;
        } else if (type.contains("xml")) {
            xml = true;
        } else {
            return refuse(415, OperationOutcome.IssueType.NOTSUPPORTED, "unsupported content type " + clean(contentType)
                    + ": use application/fhir+json or application/fhir+xml", body, null, remote, user, requestId);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return refuse(400, OperationOutcome.IssueType.STRUCTURE, "the body is not valid UTF-8 (FHIR requires UTF-8)", body, null,
                    remote, user, requestId);
        }
        // FHIR XML never needs a DTD; refusing them outright closes XXE and entity-expansion bombs, whatever the parser.
        if (xml && XmlDeclarations.declaresDtd(text)) {
            return refuse(400, OperationOutcome.IssueType.SECURITY, XmlDeclarations.REFUSAL,
                    body, null, remote, user, requestId);
        }
        IBaseResource parsed;
        try {
            IParser parser = (xml ? fhir.newXmlParser() : fhir.newJsonParser()).setParserErrorHandler(new StrictErrorHandler());
            parsed = FhirValidation.withHapiLoader(() -> parser.parseResource(text));
        } catch (DataFormatException e) {
            return refuse(400, OperationOutcome.IssueType.STRUCTURE, "cannot parse the " + (xml ? "XML" : "JSON") + ": "
                    + clean(e.getMessage()), body, null, remote, user, requestId);
        } catch (RuntimeException e) {
            return refuse(400, OperationOutcome.IssueType.STRUCTURE, "cannot parse the " + (xml ? "XML" : "JSON") + ": "
                    + e.getClass().getSimpleName(), body, null, remote, user, requestId);
        }
        String resourceType = fhir.getResourceType(parsed);
        if (pathType != null && !pathType.equals(resourceType)) {
            return refuse(400, OperationOutcome.IssueType.INVALID, "the URL names " + clean(pathType) + " but the body is a "
                    + resourceType, body, resourceType, remote, user, requestId);
        }
        if (parsed instanceof Bundle bundle && !ACCEPTED_BUNDLES.contains(bundle.getType())) {
            return refuse(422, OperationOutcome.IssueType.NOTSUPPORTED, "Bundle type " + (bundle.getType() == null ? "(none)"
                    : bundle.getType().toCode()) + " is not accepted: post a transaction, batch, collection, document or message",
                    body, resourceType, remote, user, requestId);
        }
        List<SingleValidationMessage> errors = validation.errors(parsed);
        if (!errors.isEmpty()) {
            OperationOutcome outcome = FhirValidation.outcome(errors, MAX_LISTED_ISSUES);
            long id = storeRejected(body, messageType(parsed), remote, user, requestId,
                    "422 invalid FHIR: " + errors.size() + " error(s), first: " + errors.get(0).getLocationString() + ": "
                            + errors.get(0).getMessage());
            LOG.warn("FHIR intake: {} from {} refused, {} validation error(s); stored as message {}", resourceType, remote,
                    errors.size(), id);
            return new Answer(422, outcome, id);
        }
        String controlId = controlId(parsed, requestId);
        try {
            MessageStore.StoreResult stored = store.store(new InboundMessage(LISTENER, remote, PROTOCOL, messageType(parsed), "4.0.1",
                    controlId, sender(user), clock.instant(), body));
            if (stored.duplicate()) {
                return new Answer(200, information(OperationOutcome.IssueType.DUPLICATE, "already received as message "
                        + stored.duplicateOf() + " (same request id); stored as " + stored.messageId() + ", not processed again"),
                        stored.messageId());
            }
            accepted.accept(stored.messageId());
            OperationOutcome outcome = information(OperationOutcome.IssueType.INFORMATIONAL, "stored as message " + stored.messageId()
                    + "; it is processed next");
            if (stored.collision()) {
                // Same user and request id as an earlier message, other content: processed (no duplicate), flagged in
                // the answer, the message history (the store's) and the audit record.
                outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.WARNING).setCode(OperationOutcome.IssueType.DUPLICATE)
                        .setDiagnostics(MessageStore.StoreResult.collisionWarning(controlId, stored.collidesWith()));
            }
            return new Answer(202, outcome, stored.messageId());
        } catch (StoreUnavailableException e) {
            LOG.error("FHIR intake: could not store a {} from {}: {}; answered 503", resourceType, remote, e.getMessage());
            return new Answer(503, error(OperationOutcome.IssueType.TRANSIENT, "not stored (store unavailable); please resend"), -1);
        }
    }

    private Answer refuse(int status, OperationOutcome.IssueType code, String reason, byte[] body, String messageType, String remote,
                          String user, String requestId) {
        long id = storeRejected(body, messageType, remote, user, requestId, status + " " + reason);
        LOG.warn("FHIR intake: request from {} refused with {} ({}); stored as message {}", remote, status, code.toCode(), id);
        return new Answer(status, error(code, reason), id);
    }

    private long storeRejected(byte[] body, String messageType, String remote, String user, String requestId, String reason) {
        if (body.length == 0) {
            return -1;
        }
        try {
            return store.storeRejected(new InboundMessage(LISTENER, remote, PROTOCOL, messageType, "4.0.1", requestId, sender(user),
                    clock.instant(), body), reason);
        } catch (StoreUnavailableException e) {
            LOG.error("FHIR intake: could not keep a refused request: {}", e.getMessage());
            return -1;
        }
    }

    private Answer audited(Answer answer, byte[] body, String remote, String user) {
        AuditTrail trail = audit.get();
        if (trail == null) {
            return answer;
        }
        boolean ok = answer.status() < 300;
        try {
            trail.append(new AuditRecord(clock.instant(), trail.nodeId(), user == null ? "fhir-intake" : user, remote,
                    AuditAction.RECEIVE, ok ? AuditRecord.Outcome.SUCCESS : AuditRecord.Outcome.MINOR_FAILURE,
                    answer.messageId() >= 0 ? List.of("message/" + answer.messageId()) : List.of(), null, null, Sha256.hash(body),
                    null, "FHIR POST answered " + answer.status() + warnings(answer.outcome())));
            return answer;
        } catch (RuntimeException e) {
            LOG.error("FHIR intake: audit record for message {} not stored: {}", answer.messageId(), e.getMessage());
            // As for HL7v2: never acknowledge what the audit trail does not show; the resend is recognised as a duplicate.
            return ok && answer.status() == 202 ? new Answer(503, error(OperationOutcome.IssueType.TRANSIENT,
                    "stored as message " + answer.messageId() + " but not audited; please resend"), answer.messageId()) : answer;
        }
    }

    /** The answer's warnings (a control-id collision), for the audit record. */
    private static String warnings(OperationOutcome outcome) {
        StringBuilder text = new StringBuilder();
        if (outcome != null) {
            for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
                if (issue.getSeverity() == OperationOutcome.IssueSeverity.WARNING && issue.hasDiagnostics()) {
                    text.append("; warning: ").append(issue.getDiagnostics());
                }
            }
        }
        return text.toString();
    }

    private static String controlId(IBaseResource parsed, String requestId) {
        if (requestId != null && !requestId.isBlank()) {
            return clean(requestId);
        }
        if (parsed instanceof Bundle bundle && bundle.hasIdentifier() && bundle.getIdentifier().hasValue()) {
            return clean(bundle.getIdentifier().getSystem() + "|" + bundle.getIdentifier().getValue());
        }
        return null;
    }

    private String messageType(IBaseResource parsed) {
        String type = fhir.getResourceType(parsed);
        return parsed instanceof Bundle bundle && bundle.getType() != null ? type + "^" + bundle.getType().toCode() : type;
    }

    private static String sender(String user) {
        return user == null ? "anonymous" : user;
    }

    static OperationOutcome information(OperationOutcome.IssueType code, String text) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION).setCode(code).setDiagnostics(text);
        return outcome;
    }

    static OperationOutcome error(OperationOutcome.IssueType code, String text) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code).setDiagnostics(text);
        return outcome;
    }

    /** Printable ASCII only and at most 200 characters: request text goes into answers and logs. */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
    }
}
