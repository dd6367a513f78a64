package io.carebus.camel.internal;

import io.carebus.camel.RouteStep;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code carebus:<name>} steps that other bundles register, by name, with a wait for one that is missing: while a
 * step's bundle is updated its service leaves and comes back a moment later, and an exchange that arrives in between
 * waits for it instead of failing the message.
 */
final class RouteSteps {

    private final Map<String, RouteStep> steps = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();

    void add(RouteStep step) {
        lock.lock();
        try {
            steps.put(step.name(), step);
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void remove(RouteStep step) {
        steps.remove(step.name(), step);
    }

    /** The step running under {@code name} now, or null. */
    RouteStep get(String name) {
        return steps.get(name);
    }

    /** The step under {@code name}, waiting up to {@code wait} for it to be registered; null if it did not come. */
    RouteStep await(String name, Duration wait) throws InterruptedException {
        RouteStep step = steps.get(name);
        if (step != null || wait.isZero() || wait.isNegative()) {
            return step;
        }
        long left = wait.toNanos();
        lock.lock();
        try {
            while ((step = steps.get(name)) == null && left > 0) {
                left = added.awaitNanos(left);
            }
            return step;
        } finally {
            lock.unlock();
        }
    }
}
