package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.MessageSummary;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * GET /metrics on the booted appliance (issue 27 item 3): it needs a CareBus login, and after HL7 traffic a real
 * scrape holds every metric the shipped Grafana dashboard (etc/grafana) queries, with the traffic counted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT extends CareBusTestSupport {

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected MessageStore store;

    private static final java.time.format.DateTimeFormatter HL7 = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmm");

    /** An admission, then vitals and labs that the shipped sepsis-risk pipeline scores (as ClinicalPipelineIT sends). */
    private static List<String> patientMessages(int n) {
        String at = HL7.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(30));
        String pid = "PID|1||MET" + n + "^^^HOSP^MR||Metrics^Ada||19500314|F\r";
        return List.of(
                "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|" + at + "||ADT^A01^ADT_A01|MET-ADT-" + n + "|P|2.5\r"
                        + "EVN|A01|" + at + "\r" + pid + "PV1|1|I|ICU^101^A||||||||||||||||VN-MET" + n + "\r",
                "MSH|^~\\&|MONITOR|ICU|CAREBUS|HOSP|" + at + "||ORU^R01^ORU_R01|MET-VIT-" + n + "|P|2.5.1\r" + pid
                        + "OBR|1||V-MET" + n + "|85353-1^Vital signs panel^LN|||" + at + "\r"
                        + "OBX|1|NM|8867-4^Heart rate^LN||121|/min|||||F|||" + at + "\r"
                        + "OBX|2|NM|9279-1^Respiratory rate^LN||27|/min|||||F|||" + at + "\r"
                        + "OBX|3|NM|8310-5^Body temperature^LN||38.9|Cel|||||F|||" + at + "\r"
                        + "OBX|4|NM|8480-6^Systolic blood pressure^LN||92|mm[Hg]|||||F|||" + at + "\r",
                "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|" + at + "||ORU^R01^ORU_R01|MET-LAB-" + n + "|P|2.5.1\r" + pid
                        + "OBR|1||L-MET" + n + "|24356-8^Labs^LN|||" + at + "\r"
                        + "OBX|1|NM|6690-2^Leukocytes^LN||15.4|10*3/uL|||||F|||" + at + "\r"
                        + "OBX|2|NM|2524-7^Lactate^LN||3.2|mmol/L|||||F|||" + at + "\r");
    }

    /** A metric name in a PromQL expression: the CareBus, JVM and process families the dashboard draws. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:carebus|jvm|process|system|disk)_[a-z0-9_]+)\\b");
    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Override
    @Configuration
    public Option[] config() {
        return plus(super.config(), editConfigurationFilePut("etc/io.carebus.metrics.cfg", "refresh.seconds", "1"),
                editConfigurationFilePut("etc/io.carebus.metrics.cfg", "commit.lag.seconds", "0"));
    }

    @Test
    public void everyMetricTheGrafanaDashboardQueriesIsInAScrapeAfterHl7Traffic() throws Exception {
        await("/metrics served", Duration.ofSeconds(60), () -> status("/metrics") == 401);
        var anonymous = get("/metrics");
        assertEquals("no anonymous scrape by default", 401, anonymous.statusCode());
        // refused by carebus-security's servlet context (its JSON refusal), the one login mechanism of every endpoint
        assertTrue(anonymous.body(), anonymous.body().contains("authentication required"));
        assertEquals(401, get("/metrics", "admin", "wrong").statusCode());
        String password = adminPassword();

        await("MLLP port open", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("localhost", mllpPort())) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        for (int i = 0; i < 2; i++) {
            for (String message : patientMessages(i)) {
                String ack = MllpClient.exchange(mllpPort(), message);
                assertTrue(ack, ack.contains("MSA|AA|MET-"));
            }
        }
        await("the six messages processed", Duration.ofSeconds(60), () -> List.of("MET-ADT-1", "MET-LAB-1").stream()
                .allMatch(id -> store.search(new MessageQuery(id, null, null, null, null, null, null, null, 1)).stream()
                        .map(MessageSummary::status).anyMatch(s -> s == MessageStatus.PROCESSED)));

        Set<String> used = dashboardMetrics(karafBase().resolve("etc/grafana/carebus-overview.json"));
        assertTrue("the dashboard queries CareBus metrics: " + used, used.size() > 10 && used.contains("carebus_listener_ack_seconds_bucket"));
        String[] scrape = {""};
        Set<String> missing = new TreeSet<>(used);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            HttpResponse<String> response = get("/metrics", "admin", password);
            assertEquals(200, response.statusCode());
            scrape[0] = response.body();
            missing.removeIf(name -> sampled(scrape[0], name));
            Thread.sleep(500);
        }
        // Kept beside the container's data for a look after a failure.
        Files.writeString(karafData().resolve("metrics-scrape.txt"), "missing: " + missing + "\n" + scrape[0]);
        assertTrue("not in the scrape: " + missing, missing.isEmpty());
        HttpResponse<String> response = get("/metrics", "admin", password);
        assertTrue(response.headers().firstValue("Content-Type").orElse(""), response.headers().firstValue("Content-Type")
                .orElse("").startsWith("text/plain"));
        // The traffic is counted: six messages on the shipped listener "main", six ACKs timed.
        assertTrue(scrape[0], value(response.body(), "carebus_messages_received_total{listener=\"main\",protocol=\"HL7v2\"}") >= 6);
        assertTrue(scrape[0], value(response.body(), "carebus_listener_ack_seconds_count{listener=\"main\",outcome=\"completed\"}") >= 6);
    }

    private int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static Set<String> dashboardMetrics(Path dashboard) throws java.io.IOException {
        Set<String> names = new TreeSet<>();
        Matcher expr = EXPR.matcher(Files.readString(dashboard));
        while (expr.find()) {
            Matcher metric = METRIC.matcher(expr.group(1));
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }

    /** A sample line of that metric: its name followed by labels or its value. */
    private static boolean sampled(String scrape, String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(scrape).find();
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
