package io.carebus.store.testing;

import io.carebus.api.store.Completion;
import io.carebus.api.store.HistoryEntry;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageSummary;
import io.carebus.api.store.MessageWarning;
import io.carebus.api.store.StoreUnavailableException;
import io.carebus.api.store.StoredMessage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection, not a store: a real {@link MessageStore} whose next few {@link #find} (claiming a message) or
 * {@link #complete} (recording outcomes) calls fail with {@link StoreUnavailableException}, as they do while the
 * database is down; everything else, and every call after the outage, goes to the real store.
 */
public final class StoreOutage implements MessageStore {

    private final MessageStore store;
    private final AtomicInteger failingFinds = new AtomicInteger();
    private final AtomicInteger failingCompletes = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    public StoreOutage(MessageStore store) {
        this.store = store;
    }

    /** The next {@code calls} calls of {@link #find} fail. */
    public StoreOutage failFinds(int calls) {
        failingFinds.set(calls);
        return this;
    }

    /** The next {@code calls} calls of {@link #complete} fail. */
    public StoreOutage failCompletes(int calls) {
        failingCompletes.set(calls);
        return this;
    }

    /** How many calls failed so far. */
    public int failed() {
        return failed.get();
    }

    private void outage(AtomicInteger left) {
        if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            throw new StoreUnavailableException("injected outage: the database is down", null);
        }
    }

    @Override
    public Optional<StoredMessage> find(long messageId) {
        outage(failingFinds);
        return store.find(messageId);
    }

    @Override
    public void complete(List<Completion> completions) {
        outage(failingCompletes);
        store.complete(completions);
    }

    @Override
    public StoreResult store(InboundMessage message) {
        return store.store(message);
    }

    @Override
    public StoreResult store(InboundMessage message, List<MessageWarning> warnings) {
        return store.store(message, warnings);
    }

    @Override
    public List<MessageWarning> warnings(long messageId) {
        return store.warnings(messageId);
    }

    @Override
    public long storeRejected(InboundMessage message, String reason) {
        return store.storeRejected(message, reason);
    }

    @Override
    public List<HistoryEntry> history(long messageId) {
        return store.history(messageId);
    }

    @Override
    public List<MessageSummary> search(MessageQuery query) {
        return store.search(query);
    }

    @Override
    public List<Long> unfinished(String protocol) {
        return store.unfinished(protocol);
    }

    @Override
    public void updateStatus(long messageId, MessageStatus status, String note) {
        store.updateStatus(messageId, status, note);
    }

    @Override
    public void attachCanonical(long messageId, byte[] canonicalJson, Collection<String> patientIdentifiers) {
        store.attachCanonical(messageId, canonicalJson, patientIdentifiers);
    }

    @Override
    public Optional<byte[]> canonical(long messageId) {
        return store.canonical(messageId);
    }
}
