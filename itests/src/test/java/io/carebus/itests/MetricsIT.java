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

    private static final String ADT = "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|%s|P|2.5\r"
            + "EVN||20261101120000\rPID|1||MRN7^^^HOSP^MR||Doe^Jane||19800101|F\rPV1|1|I|ICU^101^A\r";
    private static final String ORU = "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120500||ORU^R01^ORU_R01|%s|P|2.5.1\r"
            + "PID|1||MRN7^^^HOSP^MR||Doe^Jane\rOBR|1||LAB1|24331-1^Lipid panel^LN\r"
            + "OBX|1|NM|8867-4^Heart rate^LN||118|/min|||||F\r";
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
        assertEquals("no anonymous scrape by default", 401, get("/metrics").statusCode());
        assertEquals(401, get("/metrics", "admin", "wrong").statusCode());
        String password = adminPassword();

        await("MLLP port open", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("localhost", mllpPort())) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        for (int i = 0; i < 3; i++) {
            assertTrue(MllpClient.exchange(mllpPort(), String.format(ADT, "MET-ADT-" + i)).contains("MSA|AA|MET-ADT-" + i));
            assertTrue(MllpClient.exchange(mllpPort(), String.format(ORU, "MET-ORU-" + i)).contains("MSA|AA|MET-ORU-" + i));
        }
        await("the six messages processed", Duration.ofSeconds(60), () -> List.of("MET-ADT-2", "MET-ORU-2").stream()
                .allMatch(id -> store.search(new MessageQuery(id, null, null, null, null, null, null, null, 1)).stream()
                        .map(MessageSummary::status).anyMatch(s -> s == MessageStatus.PROCESSED)));

        Set<String> used = dashboardMetrics(karafBase().resolve("etc/grafana/carebus-overview.json"));
        assertTrue("the dashboard queries CareBus metrics: " + used, used.size() > 10 && used.contains("carebus_listener_ack_seconds_bucket"));
        String[] scrape = new String[1];
        Set<String> missing = new TreeSet<>();
        try {
            await("every dashboard metric in the scrape", Duration.ofSeconds(60), () -> {
                try {
                    HttpResponse<String> response = get("/metrics", "admin", password);
                    scrape[0] = response.body();
                    missing.clear();
                    used.stream().filter(name -> !sampled(scrape[0], name)).forEach(missing::add);
                    return response.statusCode() == 200 && missing.isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError("not in the scrape: " + missing + "\n" + scrape[0], e);
        }
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
