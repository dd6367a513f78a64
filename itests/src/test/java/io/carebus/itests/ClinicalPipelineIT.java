package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 21, on the appliance as shipped (routes, models and configuration untouched): one patient's ADT, vitals ORU
 * and labs ORU, dated three weeks ago, arrive in three messages over MLLP. The shipped pipeline de-identifies them,
 * builds the patient's context, scores sepsis-risk once (as of the labs' own time, not the clock), explains, raises
 * an alert and keeps the results LOCAL, findable by the real MRN; the model's input never carried the MRN, the name or
 * the birth date.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClinicalPipelineIT extends CareBusTestSupport {

    private static final DateTimeFormatter HL7 = DateTimeFormatter.ofPattern("yyyyMMddHHmm");

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected MessageStore store;

    private static String adt(String mrn, String family, String control, ZonedDateTime at) {
        return "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|" + HL7.format(at) + "||ADT^A01^ADT_A01|" + control + "|P|2.5\r"
                + "EVN|A01|" + HL7.format(at) + "\r"
                + "PID|1||" + mrn + "^^^HOSP^MR||" + family + "^Ada||19500314|F\r"
                + "PV1|1|I|ICU^101^A||||||||||||||||VN-" + mrn + "\r";
    }

    private static String vitals(String mrn, String family, String control, ZonedDateTime at) {
        String t = HL7.format(at);
        return "MSH|^~\\&|MONITOR|ICU|CAREBUS|HOSP|" + t + "||ORU^R01^ORU_R01|" + control + "|P|2.5.1\r"
                + "PID|1||" + mrn + "^^^HOSP^MR||" + family + "^Ada||19500314|F\r"
                + "OBR|1||V-" + control + "|85353-1^Vital signs panel^LN|||" + t + "\r"
                + "OBX|1|NM|8867-4^Heart rate^LN||121|/min|||||F|||" + t + "\r"
                + "OBX|2|NM|9279-1^Respiratory rate^LN||27|/min|||||F|||" + t + "\r"
                + "OBX|3|NM|8310-5^Body temperature^LN||38.9|Cel|||||F|||" + t + "\r"
                + "OBX|4|NM|8480-6^Systolic blood pressure^LN||92|mm[Hg]|||||F|||" + t + "\r";
    }

    private static String labs(String mrn, String family, String control, ZonedDateTime at) {
        String t = HL7.format(at);
        return "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|" + t + "||ORU^R01^ORU_R01|" + control + "|P|2.5.1\r"
                + "PID|1||" + mrn + "^^^HOSP^MR||" + family + "^Ada||19500314|F\r"
                + "OBR|1||L-" + control + "|24356-8^Labs^LN|||" + t + "\r"
                + "OBX|1|NM|6690-2^Leukocytes^LN||15.4|10*3/uL|||||F|||" + t + "\r"
                + "OBX|2|NM|2524-7^Lactate^LN||3.2|mmol/L|||||F|||" + t + "\r";
    }

    private String search(String type, String mrn) throws Exception {
        HttpResponse<String> found = get("/fhir/" + type + "?subject.identifier=" + URLEncoder.encode(mrn, StandardCharsets.UTF_8),
                "admin", adminPassword());
        assertEquals(found.body(), 200, found.statusCode());
        return found.body();
    }

    /** For waits: a check that throws (not up yet) has not held yet. */
    private static boolean holds(java.util.concurrent.Callable<Boolean> check) {
        try {
            return check.call();
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private StoredMessage stored(String controlId) {
        var found = store.search(new io.carebus.api.store.MessageQuery(controlId, null, null, null, null, null, null, null, 10));
        assertEquals("messages with control id " + controlId, 1, found.size());
        return store.find(found.get(0).id()).orElseThrow();
    }

    @Test
    public void threeMessagesOfOnePatientGiveOneExplainedRiskAssessmentAndAnAlertForTheRealMrn() throws Exception {
        await("MLLP listener", Duration.ofSeconds(90), () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", mllpPort())) {
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        await("sepsis-risk serving", Duration.ofSeconds(90), () -> holds(() -> get("/api/models", "admin", adminPassword()).body().contains("\"SERVING\"")));
        ZonedDateTime vitalsAt = ZonedDateTime.now(ZoneOffset.UTC).minusDays(21).withSecond(0).withNano(0);
        String mrn = "PIPE-4711";
        String family = "Quintana";
        assertTrue(MllpClient.exchange(mllpPort(), adt(mrn, family, "PIPE-ADT-1", vitalsAt.minusHours(2))).contains("MSA|AA|PIPE-ADT-1"));
        assertTrue(MllpClient.exchange(mllpPort(), vitals(mrn, family, "PIPE-VIT-1", vitalsAt)).contains("MSA|AA|PIPE-VIT-1"));
        assertTrue(MllpClient.exchange(mllpPort(), labs(mrn, family, "PIPE-LAB-1", vitalsAt.plusMinutes(10))).contains("MSA|AA|PIPE-LAB-1"));

        await("one RiskAssessment for the real MRN", Duration.ofSeconds(60), () -> holds(() -> search("RiskAssessment", mrn).contains("\"RiskAssessment\"")));
        for (String control : List.of("PIPE-ADT-1", "PIPE-VIT-1", "PIPE-LAB-1")) {
            StoredMessage m = stored(control);
            assertEquals(control + " " + m.status(), MessageStatus.PROCESSED, m.status());
        }
        // The debounce scored the vitals and the labs together, once; no second score appears later.
        await("the alert's Flag", Duration.ofSeconds(30), () -> holds(() -> search("Flag", mrn).contains("\"Flag\"")));
        String risk = search("RiskAssessment", mrn);
        assertEquals(risk, 1, count(risk.replaceAll("\\s", ""), "\"resourceType\":\"RiskAssessment\""));
        // The basis names the observations the features came from: four vital signs from the monitor (ICU), two labs
        // (HOSP). Their identifiers are the pseudonymous ones the model saw.
        String basis = risk.replaceAll("\\s", "");
        basis = basis.substring(basis.indexOf("\"basis\":["), basis.indexOf("]", basis.indexOf("\"basis\":[")));
        assertEquals(basis, 4, count(basis, "urn:carebus:hl7v2:id:ICU"));
        assertEquals(basis, 2, count(basis, "urn:carebus:hl7v2:id:HOSP"));
        assertTrue("contributions for heart rate and lactate: " + risk, risk.contains("heart_rate_max") && risk.contains("lactate_last"));
        assertTrue("the RiskAssessment names the real patient: " + risk, risk.contains(mrn));
        String flag = search("Flag", mrn);
        assertTrue(flag, flag.contains("\"active\""));
        assertTrue("one Communication per episode", search("Communication", mrn).contains("\"Communication\""));

        // Replay: the vitals and the labs reprocessed leave one RiskAssessment and one Communication (the context did
        // not change, and a score of the same input has the same identifiers). A later patient's score, triggered
        // after the replayed messages were processed again and debounced the same way, shows any score the replay
        // could have caused would be there by now.
        for (String control : List.of("PIPE-VIT-1", "PIPE-LAB-1")) {
            long id = stored(control).id();
            HttpResponse<String> again = http(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/messages/" + id + "/reprocess"))
                    .header("Authorization", basic("admin", adminPassword())).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertTrue(again.body(), again.statusCode() < 300);
        }
        await("the replayed messages processed again", Duration.ofSeconds(30), () -> holds(() -> List.of("PIPE-VIT-1", "PIPE-LAB-1").stream()
                .allMatch(c -> store.history(stored(c).id()).stream().filter(h -> h.status() == MessageStatus.PROCESSED).count() >= 2)));
        String sentinel = "PIPE-4712";
        assertTrue(MllpClient.exchange(mllpPort(), vitals(sentinel, "Sentinel", "PIPE-VIT-2", vitalsAt)).contains("MSA|AA"));
        assertTrue(MllpClient.exchange(mllpPort(), labs(sentinel, "Sentinel", "PIPE-LAB-2", vitalsAt.plusMinutes(10))).contains("MSA|AA"));
        await("the later patient scored", Duration.ofSeconds(60), () -> holds(() -> search("RiskAssessment", sentinel).contains("\"RiskAssessment\"")));
        String replayed = search("RiskAssessment", mrn).replaceAll("\\s", "");
        assertEquals(replayed, 1, count(replayed, "\"resourceType\":\"RiskAssessment\""));
        String communications = search("Communication", mrn).replaceAll("\\s", "");
        assertEquals(communications, 1, count(communications, "\"resourceType\":\"Communication\""));

        // What the model saw was pseudonymous: no MRN, name or birth date anywhere in the audit trail, and the
        // inference step is on it for the labs message.
        String trail = get("/api/audit?limit=10000", "admin", adminPassword()).body();
        long labsId = stored("PIPE-LAB-1").id();
        assertTrue("the INFER record of message " + labsId, trail.contains("\"action\" : \"INFER\"") && trail.contains("\"message/" + labsId + "\""));
        assertFalse("MRN in the audit trail", trail.contains(mrn) || trail.contains(sentinel));
        assertFalse("name in the audit trail", trail.contains(family));
        assertFalse("birth date in the audit trail", trail.contains("19500314") || trail.contains("1950-03-14"));
    }
}
