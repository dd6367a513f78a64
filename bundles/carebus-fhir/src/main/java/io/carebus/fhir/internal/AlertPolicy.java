package io.carebus.fhir.internal;

import io.carebus.fhir.ResultResources;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The episode rule of {@code carebus:alert}: an episode starts with the first score at or above the threshold and
 * ends with the first score below threshold minus hysteresis; scores in between update it. Scores are taken at their
 * own time (the prediction's as-of time), so a score at or before the last one this key has seen is a replay or a late
 * message: it changes nothing, and is answered with what that time's score in its episode emitted (the same
 * identifiers; the outbox keeps the newer revision), or with nothing outside any episode.
 */
final class AlertPolicy {

    enum Kind {
        NONE(false), RAISED(false), UPDATED(false), ENDED(false),
        REPLAYED_RAISE(true), REPLAYED_UPDATE(true), REPLAYED_END(true);

        final boolean replay;

        Kind(boolean replay) {
            this.replay = replay;
        }

        boolean raise() {
            return this == RAISED || this == REPLAYED_RAISE;
        }

        boolean end() {
            return this == ENDED || this == REPLAYED_END;
        }
    }

    /** What a score did; {@code episode}, {@code started} and {@code ended} are null for NONE. */
    record Decision(Kind kind, String episode, Instant started, Instant ended) {
        static final Decision NONE = new Decision(Kind.NONE, null, null, null);
    }

    private final AlertEpisodes episodes;
    // One score per key at a time on this node: two concurrent scores of one patient must not open two episodes.
    // Striped, so the locks do not grow with the number of patients.
    private final ReentrantLock[] locks = new ReentrantLock[64];

    AlertPolicy(AlertEpisodes episodes) {
        this.episodes = episodes;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    static String episodeId(AlertEpisodes.Key key, Instant started) {
        return ResultResources.stableValue("AlertEpisode", key.subject(), key.model(), key.output(), Long.toString(started.toEpochMilli()));
    }

    Decision apply(AlertEpisodes.Key key, Instant at, double risk, double threshold, double hysteresis) {
        ReentrantLock lock = locks[Math.floorMod(key.hashCode(), locks.length)];
        lock.lock();
        try {
            Optional<AlertEpisodes.Episode> latest = episodes.latest(key);
            if (latest.isPresent() && !at.isAfter(latest.get().lastSeen())) {
                return replayed(key, at);
            }
            if (latest.isPresent() && latest.get().active()) {
                AlertEpisodes.Episode e = latest.get();
                if (risk < threshold - hysteresis) {
                    episodes.end(e.id(), at, risk);
                    return new Decision(Kind.ENDED, e.id(), e.started(), at);
                }
                episodes.update(e.id(), at, risk);
                return new Decision(Kind.UPDATED, e.id(), e.started(), null);
            }
            if (risk >= threshold) {
                String id = episodeId(key, at);
                episodes.open(key, id, at, risk);
                return new Decision(Kind.RAISED, id, at, null);
            }
            return Decision.NONE;
        } finally {
            lock.unlock();
        }
    }

    private Decision replayed(AlertEpisodes.Key key, Instant at) {
        Optional<AlertEpisodes.Episode> found = episodes.startedBy(key, at);
        if (found.isEmpty() || at.isAfter(found.get().lastSeen())) {
            return Decision.NONE;
        }
        AlertEpisodes.Episode e = found.get();
        if (at.equals(e.started())) {
            return new Decision(Kind.REPLAYED_RAISE, e.id(), e.started(), null);
        }
        if (at.equals(e.ended())) {
            return new Decision(Kind.REPLAYED_END, e.id(), e.started(), e.ended());
        }
        return new Decision(Kind.REPLAYED_UPDATE, e.id(), e.started(), null);
    }
}
