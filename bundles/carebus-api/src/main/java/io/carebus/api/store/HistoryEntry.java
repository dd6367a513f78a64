package io.carebus.api.store;

import java.time.Instant;

/** One step of a stored message's processing history. */
public record HistoryEntry(Instant at, MessageStatus status, String note) {
}
