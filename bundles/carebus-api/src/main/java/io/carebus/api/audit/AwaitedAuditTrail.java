package io.carebus.api.audit;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An intake's dynamic reference to the audit trail, with a bounded wait for it: while carebus-audit is updated its
 * service leaves and comes back a moment later, and a message that arrives in between waits for it (on a condition
 * that {@link #bind} signals, no polling) instead of being acknowledged without its audit record. Used by the MLLP
 * listeners and the DICOM SCP; a component binds and unbinds it from its own DS reference (dynamic, greedy).
 */
public final class AwaitedAuditTrail {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition bound = lock.newCondition();
    private volatile AuditTrail trail;

    /** DS bind (dynamic, greedy): a trail (or a better ranked one) is running. */
    public void bind(AuditTrail service) {
        lock.lock();
        try {
            trail = service;
            bound.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** DS unbind: only forgets {@code service} if it is still the one held (greedy: the new one is bound first). */
    public void unbind(AuditTrail service) {
        lock.lock();
        try {
            if (trail == service) {
                trail = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a frame is waiting for the trail now. */
    public boolean awaited() {
        lock.lock();
        try {
            return lock.hasWaiters(bound);
        } finally {
            lock.unlock();
        }
    }

    /** The trail running now, or null. */
    public AuditTrail current() {
        return trail;
    }

    /**
     * The trail, waiting until {@code deadlineNanos} ({@link System#nanoTime()} scale) for one to bind; null if none
     * came. An interrupted wait ends at once with what there is (the interrupt stays set).
     */
    public AuditTrail await(long deadlineNanos) {
        AuditTrail now = trail;
        if (now != null) {
            return now;
        }
        lock.lock();
        try {
            long left = deadlineNanos - System.nanoTime();
            while ((now = trail) == null && left > 0) {
                left = bound.awaitNanos(left);
            }
            return now;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return trail;
        } finally {
            lock.unlock();
        }
    }
}
