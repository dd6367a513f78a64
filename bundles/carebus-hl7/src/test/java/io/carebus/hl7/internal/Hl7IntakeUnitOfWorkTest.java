package io.carebus.hl7.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.MessageStore.StoreResult;
import io.carebus.api.store.UnitParticipant;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: "One unit of work for an HL7 message: the message row and its audit record commit in one transaction."
 * With a trail that can join the store's transaction, an accepted message's RECEIVE record is written by the store's
 * writer on the transaction that inserts the message (here seen by reading the message row back on that very
 * connection before the commit), with the same content the separate append had; nothing is appended afterwards.
 */
class Hl7IntakeUnitOfWorkTest {

    @TempDir
    Path dir;
    private CloseableMessageStore store;
    private HapiContext headers;
    private Hl7Parsing lenient;

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(24));
        headers = new DefaultHapiContext(ValidationContextFactory.noValidation());
        AckControlIds ackIds = new AckControlIds();
        headers.getParserConfiguration().setIdGenerator(ackIds);
        lenient = new Hl7Parsing(ValidationMode.LENIENT, ackIds);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        headers.close();
        lenient.close();
    }

    /** Records what the store's writer had it write, once committed; counts plain appends. */
    private static final class UnitTrail implements AuditTrail {
        final List<AuditRecord> committed = new CopyOnWriteArrayList<>();
        final List<String> sawRowInTransaction = new CopyOnWriteArrayList<>();
        final AtomicInteger appended = new AtomicInteger();

        @Override
        public long append(AuditRecord record) {
            appended.incrementAndGet();
            return appended.get();
        }

        @Override
        public Optional<UnitParticipant> recordWith(Function<StoreResult, AuditRecord> record) {
            return Optional.of(new UnitParticipant() {
                private AuditRecord pending;

                @Override
                public void write(Connection c, StoreResult stored) throws java.sql.SQLException {
                    try (PreparedStatement ps = c.prepareStatement("SELECT status FROM message WHERE id = ?")) {
                        ps.setLong(1, stored.messageId());
                        try (ResultSet rs = ps.executeQuery()) {
                            sawRowInTransaction.add(rs.next() ? rs.getString(1) : "absent");
                        }
                    }
                    pending = record.apply(stored);
                }

                @Override
                public void committed() {
                    committed.add(pending);
                }

                @Override
                public void rolledBack() {
                    pending = null;
                }
            });
        }
    }

    @Test
    void anAcceptedMessageAndItsRecordAreOneUnitOfWork() throws Exception {
        UnitTrail trail = new UnitTrail();
        Hl7Intake intake = new Hl7Intake(Hl7IntakeTest.rules(ValidationMode.LENIENT), store, lenient, headers.getPipeParser(),
                Clock.systemUTC(), () -> trail);
        byte[] frame = Hl7IntakeTest.adt("UNIT-1", "").getBytes(StandardCharsets.ISO_8859_1);

        IntakeOutcome ok = intake.handle(frame, "10.1.2.3:4000");
        IntakeOutcome again = intake.handle(frame, "10.1.2.3:4000");

        assertThat(ok.ackCode()).isEqualTo("AA");
        assertThat(again.duplicate()).isTrue();
        assertThat(trail.sawRowInTransaction).containsExactly("RECEIVED", "FILTERED");
        assertThat(trail.appended).as("nothing appended beside the unit").hasValue(0);
        assertThat(trail.committed).hasSize(2);
        AuditRecord first = trail.committed.get(0);
        assertThat(first.action()).isEqualTo(AuditAction.RECEIVE);
        assertThat(first.outcome()).isEqualTo(AuditRecord.Outcome.SUCCESS);
        assertThat(first.entities()).containsExactly("message/" + ok.messageId());
        assertThat(first.remoteAddress()).isEqualTo("10.1.2.3:4000");
        assertThat(first.inputHash()).isEqualTo(Sha256.hash(frame));
        assertThat(first.outputHash()).as("the hash of the answer that went out").isEqualTo(Sha256.hash(ok.ack()));
        assertThat(first.detail()).isEqualTo("answered AA");
        assertThat(trail.committed.get(1).detail()).isEqualTo("answered AA (duplicate)");
        assertThat(store.find(ok.messageId())).isPresent();
    }
}
