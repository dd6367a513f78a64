package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.store.MessageStatus;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Hl7IntakeTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private HapiContext headers;
    private Hl7Parsing lenient;
    private Hl7Parsing strict;
    /** The default: lenient. */
    private Hl7Intake intake;
    private Hl7Intake strictIntake;
    private final AtomicInteger seq = new AtomicInteger();

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        headers = new DefaultHapiContext(ValidationContextFactory.noValidation());
        AckControlIds ackIds = new AckControlIds();
        headers.getParserConfiguration().setIdGenerator(ackIds);
        lenient = new Hl7Parsing(ValidationMode.LENIENT, ackIds);
        strict = new Hl7Parsing(ValidationMode.STRICT, ackIds);
        intake = new Hl7Intake(rules(ValidationMode.LENIENT), store, lenient, headers.getPipeParser(), Clock.systemUTC());
        strictIntake = new Hl7Intake(rules(ValidationMode.STRICT), store, strict, headers.getPipeParser(), Clock.systemUTC());
    }

    static ListenerRules rules(ValidationMode mode) {
        return new ListenerRules("test", ListenerRules.ALL_VERSIONS, Set.of("ADT", "ORU^R01"), List.of(), mode,
                StandardCharsets.ISO_8859_1);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        headers.close();
        lenient.close();
        strict.close();
    }

    static String adt(String controlId, String extraMsh) {
        return "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|" + controlId + "|P|2.5" + extraMsh + "\r"
                + "EVN||20261101120000\r"
                + "PID|1||MRN12345^^^HOSP^MR||Doe^Jane^^^^^L||19800101|F|||1 Main St^^Springfield^IL^62701\r"
                + "PV1|1|I|ICU^101^A\r"
                + "ZPI|custom|kept\r";
    }

    static String oru(String controlId) {
        return "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120500||ORU^R01^ORU_R01|" + controlId + "|P|2.5.1\r"
                + "PID|1||MRN12345^^^HOSP^MR||Doe^Jane\r"
                + "OBR|1||LAB1|24331-1^Lipid panel^LN\r"
                + "OBX|1|NM|2093-3^Cholesterol^LN||195|mg/dL|<200|N|||F\r";
    }

    private Message ackOf(IntakeOutcome outcome, Charset charset) throws Exception {
        return PipeParser.getInstanceWithNoValidation().parse(new String(outcome.ack(), charset));
    }

    private IntakeOutcome send(String message) {
        return intake.handle(message.getBytes(StandardCharsets.ISO_8859_1), "127.0.0.1:40000");
    }

    private IntakeOutcome send(ValidationMode mode, String message) {
        return (mode == ValidationMode.STRICT ? strictIntake : intake).handle(message.getBytes(StandardCharsets.ISO_8859_1),
                "127.0.0.1:40000");
    }

    private void assertStillServing() throws Exception {
        String id = "OK" + seq.incrementAndGet();
        IntakeOutcome ok = send(adt(id, ""));
        assertThat(ok.ackCode()).isEqualTo("AA");
        assertThat(new Terser(ackOf(ok, StandardCharsets.ISO_8859_1)).get("MSA-2")).isEqualTo(id);
    }

    @Test
    void aValidMessageIsStoredThenAcknowledgedEchoingItsControlId() throws Exception {
        IntakeOutcome outcome = send(adt("CTRL-1", ""));

        assertThat(outcome.ackCode()).isEqualTo("AA");
        Terser ack = new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1));
        assertThat(ack.get("MSA-1")).isEqualTo("AA");
        assertThat(ack.get("MSA-2")).isEqualTo("CTRL-1");
        assertThat(ack.get("MSH-9-1")).isEqualTo("ACK");
        var stored = store.find(outcome.messageId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(new String(stored.message().payload(), StandardCharsets.ISO_8859_1)).contains("ZPI|custom|kept");
        assertThat(stored.message().messageType()).isEqualTo("ADT^A01^ADT_A01");
        assertThat(stored.message().sender()).isEqualTo("REG^HOSP");
    }

    @Test
    void oruIsAccepted() throws Exception {
        assertThat(send(oru("LAB-1")).ackCode()).isEqualTo("AA");
    }

    @Test
    void aDuplicateIsAcknowledgedButRecordedAsFiltered() throws Exception {
        IntakeOutcome first = send(adt("DUP-1", ""));
        IntakeOutcome second = send(adt("DUP-1", ""));

        assertThat(second.ackCode()).isEqualTo("AA");
        assertThat(second.duplicate()).isTrue();
        assertThat(store.find(second.messageId()).orElseThrow().duplicateOf()).isEqualTo(first.messageId());
        assertThat(store.unfinished("HL7v2")).containsExactly(first.messageId());
    }

    @Test
    void theSameControlIdWithOtherContentIsAcceptedProcessedAndAuditedAsACollision() throws Exception {
        RecordingTrail trail = new RecordingTrail();
        Hl7Intake audited = new Hl7Intake(rules(ValidationMode.LENIENT), store, lenient, headers.getPipeParser(),
                Clock.systemUTC(), () -> trail);
        String original = adt("COL-1", "");
        String changed = original.replace("PV1|1|I|ICU^101^A", "PV1|1|I|ICU^102^B");

        IntakeOutcome first = audited.handle(original.getBytes(StandardCharsets.ISO_8859_1), "peer");
        IntakeOutcome second = audited.handle(changed.getBytes(StandardCharsets.ISO_8859_1), "peer");
        IntakeOutcome resent = audited.handle(changed.getBytes(StandardCharsets.ISO_8859_1), "peer");

        String warning = "control id COL-1 already used by message " + first.messageId() + " with different content";
        assertThat(second.ackCode()).isEqualTo("AA");
        assertThat(second.duplicate()).isFalse();
        assertThat(second.toProcess()).as("a collision is processed, never FILTERED").isTrue();
        assertThat(store.find(second.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(store.history(second.messageId())).singleElement()
                .satisfies(h -> assertThat(h.note()).contains("warning: " + warning));
        assertThat(trail.records).hasSize(3);
        assertThat(trail.records.get(0).detail()).doesNotContain("warning");
        assertThat(trail.records.get(1).entities()).containsExactly("message/" + second.messageId());
        assertThat(trail.records.get(1).detail()).isEqualTo("answered AA; warning: " + warning);
        // The changed content sent again is a duplicate of the colliding message, not a second collision.
        assertThat(resent.duplicate()).isTrue();
        assertThat(resent.toProcess()).isFalse();
        assertThat(store.find(resent.messageId()).orElseThrow().duplicateOf()).isEqualTo(second.messageId());
        assertThat(trail.records.get(2).detail()).isEqualTo("answered AA (duplicate)");
        assertThat(store.unfinished("HL7v2")).containsExactly(first.messageId(), second.messageId());
    }

    @Test
    void enhancedModeGetsACommitAck() throws Exception {
        IntakeOutcome outcome = send(adt("ENH-1", "|||AL|NE"));
        assertThat(outcome.ackCode()).isEqualTo("CA");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1)).get("MSA-1")).isEqualTo("CA");
    }

    @Test
    void utf8UnderMsh18IsHonouredAndTheAckUsesIt() throws Exception {
        String msg = adt("UTF-1", "||||||UNICODE UTF-8").replace("Doe^Jane", "Ngu\u1ec5n^Th\u1ecb");
        IntakeOutcome outcome = intake.handle(msg.getBytes(StandardCharsets.UTF_8), "127.0.0.1:40000");
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.UTF_8)).get("MSA-2")).isEqualTo("UTF-1");
    }

    @Test
    void whatTheStoreCannotTakeIsNeverAcknowledgedPositively() throws Exception {
        store.close();
        IntakeOutcome outcome = send(adt("DOWN-1", ""));
        assertThat(outcome.ackCode()).isEqualTo("AE");
        Terser ack = new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1));
        assertThat(ack.get("MSA-2")).isEqualTo("DOWN-1");
        assertThat(ack.get("ERR-3-1")).isEqualTo("207");
    }

    /** An audit trail that keeps records in memory, or refuses them like a trail whose database is down. */
    private static final class RecordingTrail implements io.carebus.api.audit.AuditTrail {
        final java.util.List<io.carebus.api.audit.AuditRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean down;

        @Override
        public long append(io.carebus.api.audit.AuditRecord record) {
            if (down) {
                throw new IllegalStateException("audit database unavailable");
            }
            records.add(record);
            return records.size();
        }
    }

    @Test
    void anAcknowledgedMessageSurvivesADatabaseStoppedWithoutWritingAnythingMore() throws Exception {
        // The store commits the row without forcing it (one forced write then covers row and audit record); the
        // answer must still wait until it is on disk. SHUTDOWN IMMEDIATELY drops whatever was not yet written.
        IntakeOutcome ok = intake.handle(adt("DURABLE-1", "").getBytes(StandardCharsets.ISO_8859_1), "peer");
        assertThat(ok.ackCode()).isEqualTo("AA");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                io.carebus.store.internal.StoreFactory.embeddedH2Url(dir.resolve("store")), "sa", "")) {
            c.createStatement().execute("SHUTDOWN IMMEDIATELY");
        } catch (java.sql.SQLException closedUnderUs) {
            // the database closes while the statement returns
        }
        try {
            store.close();
        } catch (RuntimeException alreadyClosed) {
            // its database is gone
        }
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        assertThat(store.find(ok.messageId())).as("message %d after the stop", ok.messageId()).isPresent();
    }

    @Test
    void everyAnswerIsAuditedFirstAndAnAuditOutageIsNeverAcknowledgedPositively() throws Exception {
        RecordingTrail trail = new RecordingTrail();
        Hl7Intake audited = new Hl7Intake(rules(ValidationMode.LENIENT), store, lenient, headers.getPipeParser(),
                Clock.systemUTC(), () -> trail);

        byte[] frame = adt("AUD-1", "").getBytes(StandardCharsets.ISO_8859_1);
        IntakeOutcome ok = audited.handle(frame, "10.1.2.3:4000");
        assertThat(ok.ackCode()).isEqualTo("AA");
        assertThat(trail.records).singleElement().satisfies(r -> {
            assertThat(r.action()).isEqualTo(io.carebus.api.audit.AuditAction.RECEIVE);
            assertThat(r.outcome()).isEqualTo(io.carebus.api.audit.AuditRecord.Outcome.SUCCESS);
            assertThat(r.entities()).containsExactly("message/" + ok.messageId());
            assertThat(r.remoteAddress()).isEqualTo("10.1.2.3:4000");
            assertThat(r.inputHash().hex()).isEqualTo(java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(frame)));
            assertThat(r.detail()).doesNotContain("Doe").doesNotContain("MRN12345");
        });

        IntakeOutcome refused = audited.handle(adt("AUD-2", "").replace("|P|2.5", "|P|9.9").getBytes(StandardCharsets.ISO_8859_1), "peer");
        assertThat(refused.ackCode()).isEqualTo("AR");
        assertThat(trail.records.get(1).outcome()).isEqualTo(io.carebus.api.audit.AuditRecord.Outcome.MINOR_FAILURE);

        trail.down = true;
        IntakeOutcome notAudited = audited.handle(adt("AUD-3", "").getBytes(StandardCharsets.ISO_8859_1), "peer");
        assertThat(notAudited.ackCode()).isEqualTo("AE");
        assertThat(new Terser(ackOf(notAudited, StandardCharsets.ISO_8859_1)).get("ERR-3-1")).isEqualTo("207");
        assertThat(store.find(notAudited.messageId())).as("stored all the same, for the resend to find").isPresent();
    }

    /**
     * Messages that are right but broke two of HAPI's default rules: phone numbers outside the US format in v2.1-2.4
     * (HAPI's TN rule), and a withdrawn field still valued by a sender that moved to v2.7+ (EVN-1). In strict mode a
     * date that is not one is still AE; in lenient mode it is AA with a warning, and the others have none.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ValidationMode.class)
    void phoneNumbersOfAnyCountryAndValuedWithdrawnFieldsAreAcceptedBadDatesOnlyLeniently(ValidationMode mode) {
        String v23 = adt("TN-1", "").replace("|P|2.5", "|P|2.3").replace("Springfield^IL^62701", "Berlin^^10115^DE|||+49 30 1234567");
        String v23us = adt("TN-2", "").replace("|P|2.5", "|P|2.3").replace("^IL^62701", "^IL^62701|||(555)555-1234 x123");
        String v28 = adt("WD-1", "").replace("|P|2.5", "|P|2.8").replace("EVN||", "EVN|A01|");
        for (String right : List.of(v23, v23us, v28)) {
            IntakeOutcome outcome = send(mode, right);
            assertThat(outcome.ackCode()).isEqualTo("AA");
            assertThat(store.warnings(outcome.messageId())).isEmpty();
        }
        IntakeOutcome badDate = send(mode, v28.replace("|WD-1|", "|WD-2|").replace("|19800101|", "|1980-01-01|"));
        if (mode == ValidationMode.STRICT) {
            assertThat(badDate.ackCode()).isEqualTo("AE");
        } else {
            assertThat(badDate.ackCode()).isEqualTo("AA");
            assertThat(store.warnings(badDate.messageId())).singleElement()
                    .satisfies(w -> assertThat(w.toString()).startsWith("PID-7: not a valid DTM").endsWith("(10 characters)"));
        }
    }

    /** Blank lines or a UTF-8 byte order mark before the MSH are not HL7, but change no byte of the message. */
    @Test
    void blankLinesAndAByteOrderMarkBeforeTheMshAreSkipped() throws Exception {
        IntakeOutcome lead = send("\r\n" + adt("LEAD-1", ""));
        assertThat(lead.ackCode()).isEqualTo("AA");
        assertThat(new Terser(lead.accepted().parsed()).get("/PID-3-1")).isEqualTo("MRN12345");

        byte[] body = adt("BOM-1", "").replace("Doe^Jane", "Müller^Zoë").getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xef;
        withBom[1] = (byte) 0xbb;
        withBom[2] = (byte) 0xbf;
        System.arraycopy(body, 0, withBom, 3, body.length);
        IntakeOutcome bom = intake.handle(withBom, "127.0.0.1:40000");
        assertThat(bom.ackCode()).isEqualTo("AA");
        // the mark says UTF-8 where MSH-18 is empty (the listener's default here is ISO-8859-1)
        assertThat(new Terser(bom.accepted().parsed()).get("/PID-5-1")).isEqualTo("Müller");
        assertThat(store.find(bom.messageId()).orElseThrow().message().payload()).isEqualTo(withBom);
        assertThat(new CanonicalForm(ca.uhn.fhir.context.FhirContext.forR4(), java.time.ZoneId.of("UTC")).parse(withBom).getName()).isEqualTo("ADT_A01");
    }

    @Test
    void aBatchWithoutMessagesIsRefusedSayingSo() throws Exception {
        String batch = "FHS|^~\\&|REG|HOSP\rBHS|^~\\&|REG|HOSP\rBTS|0\rFTS|1\r";
        IntakeOutcome outcome = send(batch);
        assertThat(outcome.ackCode()).isEqualTo("AR");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1)).get("ERR-3-9")).contains("HL7 batch");
        assertThat(store.find(outcome.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.ERROR);
    }

    /**
     * The bad-input table of the README. Both modes refuse every structural problem with the same answer; a data
     * type error is refused in strict mode only (lenient: AA, and a warning on the stored message).
     */
    static Stream<Arguments> badInput() {
        String valid = adt("BAD-1", "");
        return Stream.of(ValidationMode.values()).flatMap(mode -> Stream.of(
                Arguments.of(mode, "unknown version", valid.replace("|P|2.5", "|P|9.9"), "AR", "203"),
                Arguments.of(mode, "empty version", valid.replace("|P|2.5", "|P|"), "AR", "203"),
                Arguments.of(mode, "message type not accepted here", valid.replace("ADT^A01^ADT_A01", "SIU^S12^SIU_S12"), "AR", "200"),
                Arguments.of(mode, "no control id", valid.replace("|BAD-1|", "||"), "AR", "101"),
                Arguments.of(mode, "lowercase segment id", valid.replace("\rPID|", "\rpid|"), "AE", "100"),
                Arguments.of(mode, "garbage segment id", valid.replace("\rPV1|", "\r#$%|"), "AE", "100"),
                Arguments.of(mode, "NUL byte", valid.replace("Jane", "Ja\0ne"), "AE", "102"),
                Arguments.of(mode, "bad encoding characters", valid.replace("MSH|^~\\&|", "MSH|^^^^|"), "AR", "102"),
                mode == ValidationMode.STRICT
                        ? Arguments.of(mode, "data type error", valid.replace("|19800101|", "|not-a-date|"), "AE", "102")
                        : Arguments.of(mode, "data type error", valid.replace("|19800101|", "|not-a-date|"), "AA", null),
                Arguments.of(mode, "huge repetition", valid.replace("ICU^101^A", "ICU^101^A" + "~X".repeat(50_000)), "AA", null)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badInput")
    void badInputGetsTheRightAnswerIsStoredAndTheNextMessageIsServed(ValidationMode mode, String name, String message,
                                                                     String code, String err) throws Exception {
        IntakeOutcome outcome = send(mode, message);

        assertThat(outcome.ackCode()).isEqualTo(code);
        Terser ack = new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1));
        assertThat(ack.get("MSA-2")).isEqualTo("no control id".equals(name) ? null : "BAD-1");
        if (err != null) {
            assertThat(ack.get("ERR-3-1")).as("HL7 error code in ERR-3").isEqualTo(err);
            assertThat(ack.get("MSA-3")).isNotBlank();
            var stored = store.find(outcome.messageId()).orElseThrow();
            assertThat(stored.status()).isEqualTo(MessageStatus.ERROR);
            assertThat(stored.error()).startsWith(err);
        }
        assertStillServing();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ValidationMode.class)
    void invalidUtf8UnderMsh18Utf8IsAnError(ValidationMode mode) throws Exception {
        byte[] head = adt("ENC-1", "||||||UNICODE UTF-8").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = java.util.Arrays.copyOf(head, head.length + 2);
        frame[head.length] = (byte) 0xC3;
        frame[head.length + 1] = (byte) 0x28;
        IntakeOutcome outcome = (mode == ValidationMode.STRICT ? strictIntake : intake).handle(frame, "127.0.0.1:40000");
        assertThat(outcome.ackCode()).isEqualTo("AE");
        assertThat(new String(outcome.ack(), StandardCharsets.UTF_8)).startsWith("MSH");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.UTF_8)).get("ERR-3-1")).isEqualTo("102");
        assertStillServing();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ValidationMode.class)
    void notHl7IsRefusedWithAnArAndTheBytesAreKept(ValidationMode mode) throws Exception {
        IntakeOutcome outcome = send(mode, "GET / HTTP/1.1\r\n\r\n");
        assertThat(outcome.closeConnection()).isFalse();
        assertThat(outcome.ackCode()).isEqualTo("AR");
        String ack = new String(outcome.ack(), StandardCharsets.US_ASCII);
        assertThat(ack).startsWith("MSH|^~\\&|").contains("\rMSA|AR|");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.US_ASCII)).get("ERR-3-1")).isEqualTo("100");
        assertThat(store.find(outcome.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.ERROR);
        assertStillServing();
    }

    @Test
    void everySupportedVersionIsAccepted() throws Exception {
        for (String version : List.of("2.1", "2.3", "2.5", "2.5.1", "2.8")) {
            // Before 2.3, PID-3 is a CK whose id is numeric.
            String msg = adt("V" + version, "").replace("|P|2.5", "|P|" + version).replace("MRN12345", "12345");
            IntakeOutcome outcome = send(msg);
            assertThat(outcome.ackCode()).as("version %s: %s", version, store.find(outcome.messageId()).orElseThrow().error())
                    .isEqualTo("AA");
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ValidationMode.class)
    void aRequiredMshFieldLeftEmptyIsAnErrorInBothModes(ValidationMode mode) throws Exception {
        ListenerRules base = rules(mode);
        Hl7Intake requiring = new Hl7Intake(new ListenerRules("test", base.allowedVersions(), base.allowedMessageTypes(),
                List.of(4), mode, base.defaultCharset()), store, mode == ValidationMode.STRICT ? strict : lenient,
                headers.getPipeParser(), Clock.systemUTC());
        IntakeOutcome outcome = requiring.handle(adt("REQ-1", "").replace("|REG|HOSP|", "|REG||").getBytes(StandardCharsets.ISO_8859_1), "peer");
        assertThat(outcome.ackCode()).isEqualTo("AE");
        assertThat(new Terser(ackOf(outcome, StandardCharsets.ISO_8859_1)).get("ERR-3-1")).isEqualTo("101");
    }

    /** The sloppy forms of issue 23 that real senders send (and Mirth or HAPI's own server accept). */
    static Stream<Arguments> sloppy() {
        return Stream.of(
                Arguments.of("TQ1-4 a time with colons",
                        "MSH|^~\\&|CPOE|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|SL-1|P|2.5.1\r"
                                + "EVN||20261101120000\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\rPV1|1|I\r"
                                + "ORC|NW|ORD1\rTQ1|1|||11:30:05\r",
                        "TQ1-4", 8),
                Arguments.of("IN1-13 a timezone offset in a DT",
                        "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|SL-2|P|2.5\r"
                                + "EVN||20261101120000\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\rPV1|1|I\r"
                                + "IN1|1|PLAN1|PAYER1^^^HOSP|Acme Health||||||||20160101|20171007150405-0500\r",
                        "IN1-13", 19),
                Arguments.of("RQD-10 a timezone offset in a DT",
                        "MSH|^~\\&|REF|HOSP|CAREBUS|HOSP|20261101120000||REF^I12^REF_I12|SL-3|P|2.5\r"
                                + "RF1|P^Pending|||||REF123\r"
                                + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "RQD|1|||||||||202110201030+0215\r",
                        "RQD-10", 17),
                Arguments.of("OBR-23 a DTM in an NM",
                        "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120000||ORU^R01^ORU_R01|SL-4|P|2.5.1\r"
                                + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "OBR|1||LAB1|24331-1^Lipid panel^LN" + "|".repeat(19) + "20261101113000-0500\r"
                                + "OBX|1|NM|2093-3^Cholesterol^LN||195|mg/dL|<200|N|||F\r",
                        "OBR-23", 19),
                Arguments.of("PV1-46 a DTM in an NM",
                        "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A03^ADT_A03|SL-5|P|2.4\r"
                                + "EVN|A03|20261101120000\rPID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "PV1|1|I|W1^1^A" + "|".repeat(43) + "20261101113000+0100\r",
                        "PV1-46", 19),
                Arguments.of("PRB-2 a 16-digit timestamp",
                        "MSH|^~\\&|EHR|HOSP|CAREBUS|HOSP|20261101120000||PPR^PC1^PPR_PC1|SL-6|P|2.4\r"
                                + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "PRB|AD|2004062916580000|I10^Hypertension^I9|PRB1\r",
                        "PRB-2", 16),
                Arguments.of("OBX-2 CE in v2.8",
                        "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120000||ORU^R01^ORU_R01|SL-7|P|2.8\r"
                                + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "OBR|1||LAB2|600-7^Blood culture^LN\r"
                                + "OBX|1|CE|600-7^Blood culture^LN||3092008^Staphylococcus aureus^SCT||||||F\r",
                        "OBX-2", 2),
                Arguments.of("SIU with SCH shifted by one",
                        "MSH|^~\\&|SCHED|HOSP|CAREBUS|HOSP|20261101120000||SIU^S12^SIU_S12|SL-8|P|2.5\r"
                                + "SCH|APT1|APT1||||||ROUTINE^Routine|NORMAL|30|min|^^30^20261105090000^20261105093000\r"
                                + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\r"
                                + "RGS|1\rAIS|1||CONSULT^Consultation\r",
                        "SCH-11", 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sloppy")
    void sloppyFormsAreAcceptedLenientlyWithAWarningThatNamesTheFieldNotTheValue(String name, String message, String field,
                                                                                 int length) throws Exception {
        Hl7Intake all = new Hl7Intake(new ListenerRules("test", ListenerRules.ALL_VERSIONS, Set.of(), List.of(),
                ValidationMode.LENIENT, StandardCharsets.ISO_8859_1), store, lenient, headers.getPipeParser(), Clock.systemUTC());
        IntakeOutcome outcome = all.handle(message.getBytes(StandardCharsets.ISO_8859_1), "peer");

        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(outcome.accepted().parsed()).isNotNull();
        assertThat(store.find(outcome.messageId()).orElseThrow().status()).isEqualTo(MessageStatus.RECEIVED);
        var warnings = store.warnings(outcome.messageId());
        assertThat(warnings).as("warnings of %s", name).anySatisfy(w -> {
            assertThat(w.location()).startsWith(field);
            assertThat(w.valueLength()).isEqualTo(length);
        });
        assertThat(outcome.warnings()).isEqualTo(warnings.size());
        assertThat(store.search(new io.carebus.api.store.MessageQuery(null, null, null, null, null, null, null, null, 10, true)))
                .extracting(io.carebus.api.store.MessageSummary::id).contains(outcome.messageId());
        // the values are PHI: none of them is in any warning
        for (String value : List.of("11:30:05", "20171007150405-0500", "202110201030+0215", "20261101113000",
                "NORMAL",
                "2004062916580000", "min", "Doe", "MRN1")) {
            assertThat(warnings).allSatisfy(w -> assertThat(w.toString()).doesNotContain(value));
        }
    }

    @Test
    void strictModeRefusesTheSloppyDataTypesButNotAWithdrawnType() throws Exception {
        Hl7Intake all = new Hl7Intake(new ListenerRules("test", ListenerRules.ALL_VERSIONS, Set.of(), List.of(),
                ValidationMode.STRICT, StandardCharsets.ISO_8859_1), store, strict, headers.getPipeParser(), Clock.systemUTC());
        Map<String, String> answers = new java.util.TreeMap<>();
        sloppy().forEach(a -> answers.put((String) a.get()[0],
                all.handle(((String) a.get()[1]).getBytes(StandardCharsets.ISO_8859_1), "peer").ackCode()));
        assertThat(answers).containsEntry("OBX-2 CE in v2.8", "AA");
        answers.remove("OBX-2 CE in v2.8");
        assertThat(answers.values()).as("%s", answers).containsOnly("AE");
    }

    @Test
    void anObxWithoutATypeAndAnExplicitStructureTheVersionLacksAreReadLeniently() throws Exception {
        String noType = oru("NT-1").replace("OBX|1|NM|", "OBX|1||");
        IntakeOutcome outcome = send(noType);
        assertThat(outcome.ackCode()).isEqualTo("AA");
        assertThat(store.warnings(outcome.messageId())).extracting(w -> w.location() + " " + w.problem())
                .contains("OBX-2 empty while OBX-5 is valued; OBX-5 read as ST");
        assertThat(send(ValidationMode.STRICT, oru("NT-2").replace("OBX|1|NM|", "OBX|1||")).ackCode()).isEqualTo("AE");

        // ADT_A04 is no structure in 2.5 (A04 uses ADT_A01): the trigger decides, not GenericMessage
        IntakeOutcome a04 = send(adt("A04-1", "").replace("ADT^A01^ADT_A01", "ADT^A04^ADT_A04"));
        assertThat(a04.accepted().parsed().getName()).isEqualTo("ADT_A01");
        assertThat(new Terser(a04.accepted().parsed()).get("/PID-3-1")).isEqualTo("MRN12345");
    }
}
