package io.carebus.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Watches the results the engine keeps locally, through {@code GET /fhir/RiskAssessment?subject.identifier=<MRN>} and
 * {@code /fhir/Flag?subject.identifier=<MRN>}, and measures the latency from the ACK (or 202) of a message that should
 * (re)score its patient to the RiskAssessment being stored.
 *
 * <p>How a latency is taken: each acknowledged message with a model feature leaves a pending trigger (ACK time, the
 * observation time) on its patient, for the patients chosen as probes. The patients with pending triggers are polled
 * every {@code pollMillis}. A RiskAssessment not seen before (id, version, lastUpdated, occurrence, probability)
 * resolves the latest pending trigger it can stem from, and every earlier one (debounced into the same score). Its
 * stored time is its {@code meta.lastUpdated} when that has milliseconds (same machine, same clock), else the time
 * the poll saw it (then the figure is an upper bound, by at most one poll interval plus the search). The trigger is
 * the latest one acknowledged before that stored time; without a usable lastUpdated, the latest one whose
 * observation time is not after the RiskAssessment's occurrence (its "as of" time). A trigger not scored within
 * {@code timeoutMillis} is dropped and counted.
 */
public final class ScoreWatcher implements AutoCloseable {

    public enum Search { UNKNOWN, AVAILABLE, UNAVAILABLE }

    record Trigger(Instant effective, long ackNanos, long ackWallMillis) {
    }

    static final class PatientState {
        final String mrn;
        final boolean probe;
        final Set<String> seen = new HashSet<>();
        final ArrayDeque<Trigger> pending = new ArrayDeque<>();
        int scores;
        int insufficient;
        int baselineScores;
        boolean flagSeen;
        boolean flagActive;
        long lastNewScoreNanos;

        PatientState(String mrn, boolean probe) {
            this.mrn = mrn;
            this.probe = probe;
        }
    }

    /** Baselines and sweeps read everything a patient has; they count scores. */
    private static final int ALL = 1000;
    /**
     * Latency probes read only the newest few (the search is newest first): a patient gets a score at most every
     * couple of seconds, far fewer than this between two polls. Reading the whole, growing history every 50 ms made
     * the probes themselves the appliance's largest load (most of its CPU went to parsing old RiskAssessments).
     */
    static final int RECENT = 3;
    private final ApplianceHttp http;
    private final List<PatientState> patients = new ArrayList<>();
    private final ConcurrentHashMap<String, PatientState> byMrn = new ConcurrentHashMap<>();
    private final List<Double> latenciesMs = new ArrayList<>();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong fromLastUpdated = new AtomicLong();
    private final AtomicLong fromPollTime = new AtomicLong();
    private final AtomicLong pollErrors = new AtomicLong();
    private final long timeoutNanos;
    private final ExecutorService pool;
    private final Consumer<String> note;
    private volatile Search search = Search.UNKNOWN;
    private volatile String searchProblem = "";
    private volatile long lastAvailabilityCheck;
    private int sweepCursor;

    public ScoreWatcher(ApplianceHttp http, long timeoutMillis, int threads, Consumer<String> note) {
        this.http = http;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "score-watcher");
            t.setDaemon(true);
            return t;
        });
        this.note = note;
    }

    public synchronized void addPatient(String mrn, boolean probe) {
        PatientState s = new PatientState(mrn, probe);
        patients.add(s);
        byMrn.put(mrn, s);
    }

    PatientState state(String mrn) {
        return byMrn.get(mrn);
    }

    void searchAvailable() {
        search = Search.AVAILABLE;
    }

    public Search search() {
        return search;
    }

    public String searchProblem() {
        return searchProblem;
    }

    /** Records what each patient already has (earlier runs with the same MRNs) and whether the search answers. */
    public void baseline() throws InterruptedException {
        List<Future<?>> f = new ArrayList<>();
        for (PatientState s : snapshot()) {
            f.add(pool.submit(() -> poll(s, false)));
        }
        await(f);
        for (PatientState s : snapshot()) {
            synchronized (s) {
                s.baselineScores = s.scores;
            }
        }
    }

    /** An acknowledged message that should (re)score the patient. */
    public void trigger(String mrn, Instant effective, long ackNanos, long ackWallMillis) {
        PatientState s = byMrn.get(mrn);
        if (s == null || !s.probe || search == Search.UNAVAILABLE) {
            return;
        }
        synchronized (s) {
            s.pending.addLast(new Trigger(effective, ackNanos, ackWallMillis));
        }
    }

    /** Polls every patient with pending triggers once (in parallel), and drops triggers past the timeout. */
    public void pollPending() throws InterruptedException {
        if (search == Search.UNAVAILABLE) {
            recheckAvailability();
            return;
        }
        List<Future<?>> f = new ArrayList<>();
        for (PatientState s : snapshot()) {
            boolean any;
            synchronized (s) {
                any = !s.pending.isEmpty();
            }
            if (any) {
                f.add(pool.submit(() -> poll(s, false, RECENT)));
            }
        }
        await(f);
    }

    /** Polls up to {@code max} patients (round robin), RiskAssessments and Flags, for the progress line. */
    public void sweep(int max, boolean flags) throws InterruptedException {
        if (search == Search.UNAVAILABLE) {
            recheckAvailability();
            return;
        }
        List<PatientState> all = snapshot();
        List<Future<?>> f = new ArrayList<>();
        for (int i = 0; i < Math.min(max, all.size()); i++) {
            PatientState s = all.get((sweepCursor + i) % all.size());
            f.add(pool.submit(() -> poll(s, flags)));
        }
        sweepCursor = (sweepCursor + Math.min(max, all.size())) % Math.max(1, all.size());
        await(f);
    }

    /** Polls the patients with pending triggers until none is left or the deadline passes. */
    public void drain(long deadlineNanos, long pollMillis) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos && pendingCount() > 0 && search != Search.UNAVAILABLE) {
            pollPending();
            Thread.sleep(pollMillis);
        }
    }

    private void recheckAvailability() {
        long now = System.nanoTime();
        if (now - lastAvailabilityCheck < 10_000_000_000L || patients.isEmpty()) {
            return;
        }
        lastAvailabilityCheck = now;
        poll(snapshot().get(0), false);
    }

    /**
     * Sweeps read the newest few first and read everything only when all of those were new (then more may be
     * hidden): sweeping whole, growing histories over and over loaded the appliance more than the feed did.
     */
    private void poll(PatientState s, boolean flags) {
        if (poll(s, flags, RECENT) >= RECENT) {
            poll(s, false, ALL);
        }
    }

    /** Returns how many RiskAssessments of the answer were new (0 when the search failed). */
    private int poll(PatientState s, boolean flags, int count) {
        try {
            ApplianceHttp.Answer a = http.searchBySubject("RiskAssessment", s.mrn, count);
            long seenAt = System.nanoTime();
            long seenWall = System.currentTimeMillis();
            if (a.status() == 401 || a.status() == 403) {
                markUnavailable("the appliance refused the credentials (HTTP " + a.status() + "): check CAREBUS_USER/CAREBUS_PASSWORD");
                return 0;
            }
            if (a.status() != 200 || a.json() == null || !"Bundle".equals(a.json().path("resourceType").asText())) {
                markUnavailable(ApplianceHttp.outcomeSummary(a));
                return 0;
            }
            if (search != Search.AVAILABLE) {
                synchronized (this) {
                    if (search != Search.AVAILABLE) {
                        search = Search.AVAILABLE;
                        note.accept("the RiskAssessment search by subject.identifier answers: scores are observed from now on");
                    }
                }
            }
            int fresh = absorb(s, a.json(), seenAt, seenWall);
            if (flags) {
                ApplianceHttp.Answer fa = http.searchBySubject("Flag", s.mrn);
                if (fa.status() == 200 && fa.json() != null) {
                    boolean any = false;
                    boolean active = false;
                    for (JsonNode e : fa.json().path("entry")) {
                        any = true;
                        active |= "active".equals(e.path("resource").path("status").asText());
                    }
                    synchronized (s) {
                        s.flagSeen |= any;
                        s.flagActive = active;
                    }
                }
            }
            return fresh;
        } catch (java.io.IOException e) {
            pollErrors.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void markUnavailable(String why) {
        if (search != Search.UNAVAILABLE) {
            search = Search.UNAVAILABLE;
            searchProblem = why;
            lastAvailabilityCheck = System.nanoTime();
            note.accept("GET /fhir/RiskAssessment?subject.identifier=<MRN> does not answer with a Bundle (" + why + "). "
                    + "That search and the sepsis routes are issue 21's work: if this appliance predates them, scores, alerts and "
                    + "latencies cannot be observed. Messages are still sent; the search is tried again every 10 s.");
            for (PatientState s : snapshot()) {
                synchronized (s) {
                    s.pending.clear();
                }
            }
        }
    }

    /** Takes in one search answer for a patient: new RiskAssessments, and the pending triggers they resolve. */
    int absorb(PatientState s, JsonNode bundle, long seenAtNanos, long seenAtWall) {
        int fresh = 0;
        // Oldest first (the search answers newest first): a poll that sees several new scores resolves the triggers
        // in the order the scores were stored, so a longer poll interval does not change the figures taken from
        // meta.lastUpdated.
        List<JsonNode> entries = new ArrayList<>();
        bundle.path("entry").forEach(entries::add);
        entries.sort(java.util.Comparator.comparing((JsonNode e) -> e.path("resource").path("meta").path("lastUpdated").asText("")));
        synchronized (s) {
            for (JsonNode e : entries) {
                JsonNode ra = e.path("resource");
                if (!"RiskAssessment".equals(ra.path("resourceType").asText())) {
                    continue;
                }
                JsonNode probability = ra.path("prediction").path(0).path("probabilityDecimal");
                String fingerprint = ra.path("id").asText() + "|" + ra.path("meta").path("versionId").asText() + "|"
                        + ra.path("meta").path("lastUpdated").asText() + "|" + ra.path("occurrenceDateTime").asText() + "|"
                        + probability.asText();
                if (!s.seen.add(fingerprint)) {
                    continue;
                }
                fresh++;
                if (probability.isNumber()) {
                    s.scores++;
                } else {
                    s.insufficient++;
                }
                Long storedWall = millisPrecise(ra.path("meta").path("lastUpdated").asText(""));
                long storedNanos = storedWall != null && storedWall <= seenAtWall + 5
                        ? seenAtNanos - (seenAtWall - storedWall) * 1_000_000L : seenAtNanos;
                s.lastNewScoreNanos = Math.max(s.lastNewScoreNanos, storedNanos);
                resolve(s, ra, seenAtNanos, seenAtWall);
            }
            Iterator<Trigger> it = s.pending.iterator();
            while (it.hasNext()) {
                if (seenAtNanos - it.next().ackNanos() > timeoutNanos) {
                    it.remove();
                    timedOut.incrementAndGet();
                }
            }
        }
        return fresh;
    }

    private void resolve(PatientState s, JsonNode ra, long seenAtNanos, long seenAtWall) {
        if (s.pending.isEmpty()) {
            return;
        }
        Long storedWall = millisPrecise(ra.path("meta").path("lastUpdated").asText(""));
        Trigger chosen = null;
        long storedNanos;
        if (storedWall != null && storedWall <= seenAtWall + 5) {
            storedNanos = seenAtNanos - (seenAtWall - storedWall) * 1_000_000L;
            for (Trigger t : s.pending) {
                if (t.ackWallMillis() <= storedWall) {
                    chosen = t;
                }
            }
            if (chosen == null) {
                return; // stored before every pending ACK: an earlier trigger's score
            }
            fromLastUpdated.incrementAndGet();
        } else {
            storedNanos = seenAtNanos;
            Instant asOf = instant(ra.path("occurrenceDateTime").asText(""));
            if (asOf != null) {
                for (Trigger t : s.pending) {
                    if (!t.effective().isAfter(asOf)) {
                        chosen = t;
                    }
                }
            }
            if (chosen == null) {
                chosen = s.pending.peekLast();
            }
            fromPollTime.incrementAndGet();
        }
        while (!s.pending.isEmpty()) {
            Trigger t = s.pending.pollFirst();
            if (t == chosen) {
                break;
            }
        }
        synchronized (latenciesMs) {
            latenciesMs.add(Math.max(0, storedNanos - chosen.ackNanos()) / 1e6);
        }
    }

    static Long millisPrecise(String fhirInstant) {
        if (!fhirInstant.contains(".")) {
            return null;
        }
        Instant i = instant(fhirInstant);
        return i == null ? null : i.toEpochMilli();
    }

    static Instant instant(String fhirDateTime) {
        try {
            return OffsetDateTime.parse(fhirDateTime).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private synchronized List<PatientState> snapshot() {
        return new ArrayList<>(patients);
    }

    private static void await(List<Future<?>> futures) throws InterruptedException {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    public int pendingCount() {
        int n = 0;
        for (PatientState s : snapshot()) {
            synchronized (s) {
                n += s.pending.size();
            }
        }
        return n;
    }

    /** The figures so far. */
    public record Stats(int patientsScored, long scores, long newScores, long insufficient, int alertPatients, int activeAlerts,
            long lastNewScoreNanos, double[] latenciesMs, long timedOut, long fromLastUpdated, long fromPollTime, long pollErrors) {
        public double percentile(double p) {
            if (latenciesMs.length == 0) {
                return Double.NaN;
            }
            return latenciesMs[Math.min(latenciesMs.length - 1, (int) Math.floor(p * latenciesMs.length))];
        }
    }

    public Stats stats() {
        int scored = 0;
        long scores = 0;
        long fresh = 0;
        long insufficient = 0;
        int alerts = 0;
        int active = 0;
        long last = 0;
        for (PatientState s : snapshot()) {
            synchronized (s) {
                scored += s.scores > 0 ? 1 : 0;
                scores += s.scores;
                fresh += s.scores - s.baselineScores;
                insufficient += s.insufficient;
                alerts += s.flagSeen ? 1 : 0;
                active += s.flagActive ? 1 : 0;
                last = Math.max(last, s.lastNewScoreNanos);
            }
        }
        double[] l;
        synchronized (latenciesMs) {
            l = latenciesMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
        return new Stats(scored, scores, fresh, insufficient, alerts, active, last, l, timedOut.get(), fromLastUpdated.get(),
                fromPollTime.get(), pollErrors.get());
    }

    /** Whether a patient has an alert (Flag) so far. */
    public boolean hasAlert(String mrn) {
        PatientState s = byMrn.get(mrn);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.flagSeen;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
