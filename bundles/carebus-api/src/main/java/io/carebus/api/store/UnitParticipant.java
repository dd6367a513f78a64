package io.carebus.api.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Rows another bundle records with a message, in the message's unit of work: written by the store's one writer in the
 * transaction that inserts the message's row, so both commit together with one forced write (on H2 and PostgreSQL
 * alike) or not at all. The audit trail records an HL7 message's RECEIVE this way.
 * <p>
 * The writer calls {@link #write} once, then exactly one of {@link #committed} or {@link #rolledBack}, all on its own
 * thread, in the order of the messages in its group commit.
 */
public interface UnitParticipant {

    /** Inside the transaction, after the message's row: writes this participant's rows for it. */
    void write(Connection connection, MessageStore.StoreResult stored) throws SQLException;

    /** The transaction committed (its forced write may still be under way). */
    void committed();

    /** The transaction was rolled back, or its commit failed: nothing {@link #write} wrote may be assumed stored. */
    void rolledBack();
}
