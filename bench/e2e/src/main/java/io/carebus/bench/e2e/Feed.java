package io.carebus.bench.e2e;

import ca.uhn.fhir.context.FhirContext;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.Bundle;

/**
 * The demo feed and the benchmark of the clinical pipeline (issue 21), against a running appliance on this machine.
 * See bench/e2e/README.md; bench/e2e/run.sh prepares the Synthea patients and the options.
 *
 * <p>Demo: each patient is admitted, then gets a vitals set every 5 simulated minutes (paced in real time so the
 * route's debounce can fire between two of them) and labs every simulated hour; half of the patients arrive as HL7v2
 * over MLLP, half as FHIR Bundles. Progress once a second; at the end, scores, alerts and ACK→RiskAssessment latency.
 *
 * <p>Bench: 200 patients streaming vitals ORUs over MLLP, first at a fixed rate, then as fast as the connections go;
 * scored patients/s and ACK→RiskAssessment p50/p99 (on probe patients). Everything is bounded in time.
 */
public final class Feed {

    private final Options o;
    private final ApplianceHttp http;
    private final FhirContext fhir = FhirContext.forR4();
    private final String runTag = Long.toString(System.currentTimeMillis() / 1000, 36);

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong mllpAa = new AtomicLong();
    private final AtomicLong fhirAccepted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean failureShown = new AtomicBoolean();

    Feed(Options o) {
        this.o = o;
        this.http = new ApplianceHttp(o.host, o.httpPort, o.user, o.password);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (!InetAddress.getByName(o.host).isLoopbackAddress()) {
            System.err.println("the feed only talks to an appliance on this machine (loopback), not " + o.host);
            System.exit(2);
        }
        System.exit(new Feed(o).run());
    }

    int run() throws Exception {
        List<DemoPatient> pool = SyntheaPatients.load(o.patientsDir, "");
        if (pool.isEmpty()) {
            System.err.println("no Synthea patient in " + o.patientsDir);
            return 2;
        }
        if (!preflight()) {
            return 1;
        }
        return o.bench ? bench(pool) : demo(pool);
    }

    /** Health, credentials, the model and the routes, each said in one line; false only when nothing can work. */
    private boolean preflight() throws Exception {
        ApplianceHttp.Answer health;
        try {
            health = http.get("/api/health", false);
        } catch (java.io.IOException e) {
            System.err.println("no appliance answers at http://" + o.host + ":" + o.httpPort + " (" + e + "). Start it with "
                    + "./carebus.sh run in another terminal, or set CAREBUS_HTTP_PORT.");
            return false;
        }
        say("appliance health: HTTP " + health.status() + " " + (health.json() == null ? "" : health.json().path("status").asText()));
        ApplianceHttp.Answer models = http.get("/api/models", true);
        if (models.status() == 401 || models.status() == 403) {
            System.err.println("the appliance refused user " + o.user + " (HTTP " + models.status() + "): the admin password is in "
                    + "appliance/data/carebus/initial-admin-password (or set CAREBUS_USER / CAREBUS_PASSWORD)");
            return false;
        }
        boolean serving = models.text() != null && models.text().contains("sepsis-risk") && models.text().contains("SERVING");
        say("model sepsis-risk: " + (serving ? "serving" : "NOT serving (see GET /api/models): no scores will come"));
        ApplianceHttp.Answer routes = http.get("/api/routes", true);
        boolean sepsisRoute = routes.text() != null && routes.text().contains("sepsis");
        boolean rejected = health.text() != null && health.text().matches("(?s).*sepsis[^\"]*rejected.*");
        say("sepsis route: " + (rejected ? "REJECTED (see GET /api/health and /api/routes): nothing will score the messages"
                : sepsisRoute ? "deployed" : "none found in GET /api/routes (routes/hl7-sepsis-risk.yaml is issue 21's"
                + " work): messages are stored, but nothing may score them"));
        return true;
    }

    // ---------------------------------------------------------------------------------------------------- demo

    private int demo(List<DemoPatient> pool) throws Exception {
        int n = o.patients > 0 ? o.patients : pool.size();
        List<DemoPatient> patients = cycle(pool, n, o.mrnPrefix != null ? o.mrnPrefix : "E2E" + runTag.toUpperCase() + "-");
        StreamGenerator.Spec spec = new StreamGenerator.Spec(o.seed, o.steps, Duration.ofMinutes(5), 12, o.deteriorating,
                simulatedStart(o.steps));
        boolean[] deteriorating = StreamGenerator.deteriorating(n, spec);
        List<ClinicalEvent> events = StreamGenerator.generate(n, spec);
        events.sort(java.util.Comparator.comparingInt(ClinicalEvent::step).thenComparing(ClinicalEvent::time)
                .thenComparingInt(ClinicalEvent::patient).thenComparing(ClinicalEvent::kind));
        int viaMllp = 0;
        for (int p = 0; p < n; p++) {
            viaMllp += mllp(p) ? 1 : 0;
        }
        say(String.format("demo: %d Synthea patients (%d deteriorating), %d steps of 5 simulated minutes every %.1f s, %d messages; "
                + "%d patients over MLLP %s:%d, %d as FHIR %s Bundles to /fhir", n, count(deteriorating), o.steps, o.stepSeconds,
                events.size(), viaMllp, o.host, o.mllpPort, n - viaMllp, o.bundleType.toCode()));
        debug(() -> "MRNs: " + patients.stream().map(DemoPatient::mrn).toList());

        Hl7Renderer hl7 = new Hl7Renderer(runTag);
        FhirRenderer fhirRenderer = new FhirRenderer(fhir, runTag);
        try (ScoreWatcher watcher = new ScoreWatcher(http, o.scoreTimeoutSeconds * 1000L, 8, Feed::say);
             MllpClient mllp = viaMllp > 0 ? new MllpClient(o.host, o.mllpPort, 30_000) : null) {
            for (DemoPatient p : patients) {
                watcher.addPatient(p.mrn(), true);
            }
            watcher.baseline();
            long start = System.nanoTime();
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread poller = daemon("pending-poller", () -> {
                while (sending.get() || watcher.pendingCount() > 0) {
                    watcher.pollPending();
                    Thread.sleep(100);
                }
            });
            Thread progress = daemon("progress", () -> {
                long last = 0;
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(1000);
                    watcher.sweep(Math.min(n, 20), true);
                    long now = sent.get();
                    progressLine(start, now - last, watcher);
                    last = now;
                }
            });
            poller.start();
            progress.start();

            Map<Integer, Integer> perStep = new HashMap<>();
            for (ClinicalEvent e : events) {
                perStep.merge(e.step(), 1, Integer::sum);
            }
            Map<Integer, Integer> indexInStep = new HashMap<>();
            for (ClinicalEvent e : events) {
                int i = indexInStep.merge(e.step(), 1, Integer::sum) - 1;
                double slot = e.step() < 0 ? (double) i / perStep.get(e.step())
                        : 1 + (e.step() + (double) i / perStep.get(e.step())) * o.stepSeconds;
                sleepUntil(start + (long) (slot * 1e9));
                DemoPatient patient = patients.get(e.patient());
                if (mllp(e.patient())) {
                    sendMllp(mllp, hl7, e, patient, watcher);
                } else {
                    sendFhir(fhirRenderer, e, patient, watcher);
                }
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            say(String.format("all %d messages sent in %.0f s; waiting up to %d s for the last scores", sent.get(), sendSeconds, o.waitSeconds));
            long deadline = System.nanoTime() + o.waitSeconds * 1_000_000_000L;
            while (System.nanoTime() < deadline && watcher.pendingCount() > 0) {
                Thread.sleep(200);
            }
            sending.set(false);
            progress.interrupt();
            progress.join(5000);
            poller.join(5000);
            for (int i = 0; i < (n + 19) / 20; i++) {
                watcher.sweep(20, true);
            }
            ScoreWatcher.Stats s = watcher.stats();
            int alertedDeteriorating = 0;
            int alertedStable = 0;
            for (int p = 0; p < n; p++) {
                if (watcher.hasAlert(patients.get(p).mrn())) {
                    if (deteriorating[p]) {
                        alertedDeteriorating++;
                    } else {
                        alertedStable++;
                    }
                }
            }
            say("---- result");
            say(String.format("messages: %d sent, %d MLLP AA, %d FHIR 202, %d failed", sent.get(), mllpAa.get(), fhirAccepted.get(), failed.get()));
            if (watcher.search() == ScoreWatcher.Search.UNAVAILABLE) {
                say("scores: not observable (" + watcher.searchProblem() + ")");
                return failed.get() == 0 ? 0 : 1;
            }
            say(String.format("scores: %d patients of %d scored, %d RiskAssessments (%d without a probability: insufficient data)",
                    s.patientsScored(), n, s.scores(), s.insufficient()));
            say(String.format("alerts: %d patients with a Flag (%d of %d deteriorating, %d of %d stable), %d active now",
                    s.alertPatients(), alertedDeteriorating, count(deteriorating), alertedStable, n - count(deteriorating), s.activeAlerts()));
            latencyLine("ACK/202 -> RiskAssessment stored", s, watcher.pendingCount());
            return failed.get() == 0 ? 0 : 1;
        }
    }

    private boolean mllp(int patient) {
        return switch (o.via) {
            case "mllp" -> true;
            case "fhir" -> false;
            default -> patient % 2 == 0;
        };
    }

    private void sendMllp(MllpClient client, Hl7Renderer hl7, ClinicalEvent e, DemoPatient patient, ScoreWatcher watcher) throws Exception {
        String controlId = hl7.controlId(e);
        String ack = client.send(hl7.render(e, patient));
        long ackNanos = System.nanoTime();
        long ackWall = System.currentTimeMillis();
        sent.incrementAndGet();
        String code = MllpClient.ackCode(ack, controlId);
        if ("AA".equals(code) || "CA".equals(code)) {
            mllpAa.incrementAndGet();
            if (e.triggersScore()) {
                watcher.trigger(patient.mrn(), e.time(), ackNanos, ackWall);
            }
        } else {
            failed.incrementAndGet();
            if (failureShown.compareAndSet(false, true)) {
                say("an MLLP message was answered " + code + " (not AA); later ones are only counted" + (o.debug ? "" : " (--debug shows the ACK)"));
            }
            debug(() -> "ACK for " + controlId + ": " + ack.replace('\r', '\n'));
        }
    }

    private void sendFhir(FhirRenderer renderer, ClinicalEvent e, DemoPatient patient, ScoreWatcher watcher) throws Exception {
        ApplianceHttp.Answer a = http.postBundle(renderer.renderJson(e, patient, o.bundleType));
        long ackNanos = System.nanoTime();
        long ackWall = System.currentTimeMillis();
        sent.incrementAndGet();
        if (a.status() == 202) {
            fhirAccepted.incrementAndGet();
            if (e.triggersScore()) {
                watcher.trigger(patient.mrn(), e.time(), ackNanos, ackWall);
            }
        } else {
            failed.incrementAndGet();
            if (failureShown.compareAndSet(false, true)) {
                say("a FHIR Bundle was answered HTTP " + a.status() + " (not 202); later ones are only counted"
                        + (o.debug ? "" : " (--debug shows the OperationOutcome)"));
            }
            debug(() -> "answer: " + ApplianceHttp.outcomeSummary(a));
        }
    }

    // ---------------------------------------------------------------------------------------------------- bench

    private int bench(List<DemoPatient> pool) throws Exception {
        say("bench: " + o.benchPatients + " patients streaming vitals ORU^R01 over MLLP (one per patient per 5 simulated minutes); "
                + "run 1 at " + o.rate + " ORU/s on " + o.connections + " connections, run 2 as fast as " + o.maxConnections
                + " connections go; " + o.durationSeconds + " s each. Latency on every " + o.probeEvery + "th patient. The route's "
                + "debounce adds to the latency: the issue measures with it set to 0.");
        String r1 = benchRun(pool, 1, o.rate, o.connections);
        String r2 = benchRun(pool, 2, 0, o.maxConnections);
        say("---- results");
        say(r1);
        say(r2);
        return 0;
    }

    private String benchRun(List<DemoPatient> pool, int runNo, double rate, int connections) throws Exception {
        String label = rate > 0 ? String.format("fixed-%.0f/s", rate) : "max-rate";
        int n = o.benchPatients;
        List<DemoPatient> patients = cycle(pool, n, "E2E" + runTag.toUpperCase() + "B" + runNo + "-");
        int steps = rate > 0 ? (int) Math.ceil(rate * o.durationSeconds / n) : 2000;
        StreamGenerator.Spec spec = new StreamGenerator.Spec(o.seed + runNo, steps, Duration.ofMinutes(5), 0, o.deteriorating,
                simulatedStart(steps));
        List<ClinicalEvent> all = StreamGenerator.generate(n, spec);
        List<ClinicalEvent> warm = all.stream().filter(e -> e.kind() != ClinicalEvent.Kind.VITALS).toList();
        List<ClinicalEvent> vitals = all.stream().filter(e -> e.kind() == ClinicalEvent.Kind.VITALS)
                .sorted(java.util.Comparator.comparingInt(ClinicalEvent::step).thenComparing(ClinicalEvent::time)).toList();
        Hl7Renderer hl7 = new Hl7Renderer(runTag + "B" + runNo);
        say("== run " + runNo + " (" + label + "): warm-up (admissions and first labs of " + n + " patients)");
        try (ScoreWatcher watcher = new ScoreWatcher(http, o.scoreTimeoutSeconds * 1000L, 8, Feed::say)) {
            for (int p = 0; p < n; p++) {
                watcher.addPatient(patients.get(p).mrn(), p % o.probeEvery == 0);
            }
            sendPartitioned(warm, patients, hl7, connections, 0, Long.MAX_VALUE, null, 0);
            Thread.sleep(3000);
            watcher.baseline();
            long sentBefore = sent.get();
            long failedBefore = failed.get();
            say("== run " + runNo + " (" + label + "): measuring for " + o.durationSeconds + " s");
            long start = System.nanoTime();
            long deadline = start + o.durationSeconds * 1_000_000_000L;
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread poller = daemon("pending-poller", () -> {
                while (sending.get()) {
                    watcher.pollPending();
                    Thread.sleep(o.pollMillis);
                }
            });
            Thread progress = daemon("progress", () -> {
                long last = sent.get();
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(1000);
                    long now = sent.get();
                    progressLine(start, now - last, watcher);
                    last = now;
                }
            });
            poller.start();
            progress.start();
            sendPartitioned(vitals, patients, hl7, connections, start, deadline, watcher, rate);
            long loadNanos = System.nanoTime() - start;
            long oru = sent.get() - sentBefore;
            progress.interrupt();
            progress.join(5000);
            watcher.drain(System.nanoTime() + o.waitSeconds * 1_000_000_000L, o.pollMillis);
            sending.set(false);
            poller.join(5000);
            // Count every patient's scores until two sweeps in a row find nothing new (bounded).
            long until = System.nanoTime() + o.waitSeconds * 1_000_000_000L;
            long before = -1;
            int quiet = 0;
            while (System.nanoTime() < until && quiet < 2 && watcher.search() != ScoreWatcher.Search.UNAVAILABLE) {
                watcher.sweep(n, false);
                long now = watcher.stats().newScores();
                quiet = now == before ? quiet + 1 : 0;
                before = now;
                Thread.sleep(500);
            }
            ScoreWatcher.Stats s = watcher.stats();
            String line = String.format("RESULT %s connections=%d patients=%d oru=%d oru/s=%.1f not_AA=%d", label, connections, n, oru,
                    oru / (loadNanos / 1e9), failed.get() - failedBefore);
            if (watcher.search() == ScoreWatcher.Search.UNAVAILABLE) {
                return line + " scores=unobservable (" + watcher.searchProblem() + ")";
            }
            double scoredSeconds = Math.max(loadNanos, s.lastNewScoreNanos() - start) / 1e9;
            return line + String.format(" scores=%d scored_patients/s=%.1f latency_n=%d p50_ms=%.0f p99_ms=%.0f unscored_probes=%d",
                    s.newScores(), s.newScores() / scoredSeconds, s.latenciesMs().length, s.percentile(0.5), s.percentile(0.99),
                    s.timedOut() + watcher.pendingCount());
        }
    }

    /**
     * Sends events over {@code connections} MLLP connections, each patient always on the same one (its messages stay in
     * order). With a rate, event i of the list goes at start + i / rate (open loop); without, as fast as ACKs come.
     */
    private void sendPartitioned(List<ClinicalEvent> events, List<DemoPatient> patients, Hl7Renderer hl7, int connections,
            long start, long deadline, ScoreWatcher watcher, double rate) throws Exception {
        List<List<Integer>> share = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            share.add(new ArrayList<>());
        }
        for (int i = 0; i < events.size(); i++) {
            share.get(events.get(i).patient() % connections).add(i);
        }
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < connections; c++) {
            List<Integer> mine = share.get(c);
            Thread t = new Thread(() -> {
                try (MllpClient client = new MllpClient(o.host, o.mllpPort, 30_000)) {
                    for (int i : mine) {
                        if (System.nanoTime() >= deadline) {
                            break;
                        }
                        if (rate > 0) {
                            sleepUntil(start + (long) (i / rate * 1e9));
                        }
                        ClinicalEvent e = events.get(i);
                        sendMllp(client, hl7, e, patients.get(e.patient()), watcher != null ? watcher : NO_WATCHER);
                    }
                } catch (Exception e) {
                    errors.add(e);
                }
            }, "mllp-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(errors.size() + " MLLP connections failed, first: " + errors.get(0), errors.get(0));
        }
    }

    private static final ScoreWatcher NO_WATCHER = new ScoreWatcher(null, 1, 1, m -> { });

    // ---------------------------------------------------------------------------------------------------- output

    private void progressLine(long start, long lastSecond, ScoreWatcher watcher) {
        ScoreWatcher.Stats s = watcher.stats();
        String scores = switch (watcher.search()) {
            case UNAVAILABLE -> "scores: search unavailable";
            case UNKNOWN -> "scores: -";
            case AVAILABLE -> String.format("scored %d patients, %d scores, alerts %d (%d active), latency n=%d p50 %s p99 %s",
                    s.patientsScored(), s.scores(), s.alertPatients(), s.activeAlerts(), s.latenciesMs().length,
                    ms(s.percentile(0.5)), ms(s.percentile(0.99)));
        };
        say(String.format("[%4.0fs] sent %d (%d/s, %d failed) | %s", (System.nanoTime() - start) / 1e9, sent.get(), lastSecond,
                failed.get(), scores));
    }

    private static void latencyLine(String what, ScoreWatcher.Stats s, int stillPending) {
        if (s.latenciesMs().length == 0) {
            say(what + ": no sample (" + (s.timedOut() + stillPending) + " triggers not scored in time)");
            return;
        }
        say(String.format("%s: p50 %s, p99 %s over %d samples (%d from meta.lastUpdated, %d from poll time: upper bounds); "
                + "%d triggers not scored in time", what, ms(s.percentile(0.5)), ms(s.percentile(0.99)), s.latenciesMs().length,
                s.fromLastUpdated(), s.fromPollTime(), s.timedOut() + stillPending));
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.0f ms", v);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private void debug(java.util.function.Supplier<String> line) {
        if (o.debug) {
            System.out.println("DEBUG " + line.get());
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Step 0 such that the whole stream lies in the recent past (nothing is dated in the future). */
    private static Instant simulatedStart(int steps) {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(5L * steps + 10));
    }

    static List<DemoPatient> cycle(List<DemoPatient> pool, int n, String mrnPrefix) {
        List<DemoPatient> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(pool.get(i % pool.size()).withMrn(mrnPrefix + i));
        }
        return out;
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                say(name + " stopped: " + e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** Command-line options (run.sh passes them; see README). */
    static final class Options {
        String host = "127.0.0.1";
        int mllpPort = 2575;
        int httpPort = 8181;
        String user = "admin";
        String password = "";
        Path patientsDir;
        int patients;
        long seed = 20261128L;
        int steps = 24;
        double stepSeconds = 3;
        double deteriorating = 0.3;
        String via = "both";
        Bundle.BundleType bundleType = Bundle.BundleType.TRANSACTION;
        String mrnPrefix;
        int waitSeconds = 30;
        int scoreTimeoutSeconds = 30;
        boolean debug;
        boolean bench;
        int benchPatients = 200;
        double rate = 100;
        int connections = 4;
        int maxConnections = 16;
        int durationSeconds = 60;
        int probeEvery = 5;
        long pollMillis = 500;

        static Options parse(String[] args) throws java.io.IOException {
            Options o = new Options();
            for (String a : args) {
                String k = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : "";
                switch (k) {
                    case "--host" -> o.host = v;
                    case "--mllp-port" -> o.mllpPort = Integer.parseInt(v);
                    case "--http-port" -> o.httpPort = Integer.parseInt(v);
                    case "--user" -> o.user = v;
                    case "--password-file" -> o.password = Files.readString(Path.of(v)).strip();
                    case "--patients-dir" -> o.patientsDir = Path.of(v);
                    case "--patients" -> o.patients = Integer.parseInt(v);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--steps" -> o.steps = Integer.parseInt(v);
                    case "--step-seconds" -> o.stepSeconds = Double.parseDouble(v);
                    case "--deteriorating" -> o.deteriorating = Double.parseDouble(v);
                    case "--via" -> o.via = v;
                    case "--bundle" -> o.bundleType = Bundle.BundleType.fromCode(v);
                    case "--mrn-prefix" -> o.mrnPrefix = v;
                    case "--wait" -> o.waitSeconds = Integer.parseInt(v);
                    case "--score-timeout" -> o.scoreTimeoutSeconds = Integer.parseInt(v);
                    case "--debug" -> o.debug = true;
                    case "--bench" -> o.bench = true;
                    case "--bench-patients" -> o.benchPatients = Integer.parseInt(v);
                    case "--rate" -> o.rate = Double.parseDouble(v);
                    case "--connections" -> o.connections = Integer.parseInt(v);
                    case "--max-connections" -> o.maxConnections = Integer.parseInt(v);
                    case "--duration" -> o.durationSeconds = Integer.parseInt(v);
                    case "--probe-every" -> o.probeEvery = Integer.parseInt(v);
                    case "--poll-ms" -> o.pollMillis = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see bench/e2e/README.md)");
                }
            }
            if (o.password.isEmpty() && System.getenv("CAREBUS_PASSWORD") != null) {
                o.password = System.getenv("CAREBUS_PASSWORD");
            }
            if (o.patientsDir == null) {
                throw new IllegalArgumentException("--patients-dir is required");
            }
            if (!List.of("both", "mllp", "fhir").contains(o.via)) {
                throw new IllegalArgumentException("--via is both, mllp or fhir");
            }
            return o;
        }
    }
}
