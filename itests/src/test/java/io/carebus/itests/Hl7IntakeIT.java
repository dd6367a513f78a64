package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** HL7v2 over MLLP into the running appliance: stored before acknowledged, bad input refused, listener keeps serving. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Hl7IntakeIT extends CareBusTestSupport {

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected MessageStore store;

    @Inject
    protected org.apache.karaf.shell.api.console.SessionFactory shell;

    private static final String ADT = "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|%s|P|2.5\r"
            + "EVN||20261101120000\rPID|1||MRN1^^^HOSP^MR||Doe^Jane||19800101|F\rPV1|1|I|ICU^101^A\r";
    private static final String ORU = "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120500||ORU^R01^ORU_R01|%s|P|2.5.1\r"
            + "PID|1||MRN1^^^HOSP^MR||Doe^Jane\rOBR|1||LAB1|24331-1^Lipid panel^LN\r"
            + "OBX|1|NM|2093-3^Cholesterol^LN||195|mg/dL|<200|N|||F\r";

    @Test
    public void adtAndOruAreStoredAndAcknowledgedEchoingTheirControlIds() throws Exception {
        awaitListener();
        String adtAck = exchange(String.format(ADT, "IT-ADT-1"));
        String oruAck = exchange(String.format(ORU, "IT-ORU-1"));

        assertTrue(adtAck, adtAck.contains("\rMSA|AA|IT-ADT-1"));
        assertTrue(oruAck, oruAck.contains("\rMSA|AA|IT-ORU-1"));
        StoredMessage adt = storedWithControlId("IT-ADT-1");
        assertEquals("ADT^A01^ADT_A01", adt.message().messageType());
        assertEquals(String.format(ADT, "IT-ADT-1"), new String(adt.message().payload(), StandardCharsets.ISO_8859_1));
        assertEquals("ORU^R01^ORU_R01", storedWithControlId("IT-ORU-1").message().messageType());

        String password = adminPassword();
        java.net.http.HttpResponse<String> list = get("/api/messages?controlId=IT-ORU-1", "admin", password);
        assertEquals(list.body(), 200, list.statusCode());
        assertTrue(list.body(), list.body().contains("\"messageType\" : \"ORU^R01^ORU_R01\""));
        long id = storedWithControlId("IT-ORU-1").id();
        java.net.http.HttpResponse<String> one = get("/api/messages/" + id, "admin", password);
        assertTrue(one.body(), one.body().contains("OBX|1|NM|2093-3^Cholesterol^LN"));
        assertEquals(401, get("/api/messages").statusCode());

        // After the ACK, the shipped route routes/hl7-inbound.yaml processes it.
        await("IT-ADT-1 processed by routes/hl7-inbound.yaml", Duration.ofSeconds(30),
                () -> storedWithControlId("IT-ADT-1").status() == MessageStatus.PROCESSED);
        long adtId = storedWithControlId("IT-ADT-1").id();

        // The mapped FHIR resources: Patient + Encounter for the ADT, Patient + DiagnosticReport + Observation for
        // the ORU, found by the patient's identifier in the browser.
        await("IT-ORU-1 processed", Duration.ofSeconds(30), () -> storedWithControlId("IT-ORU-1").status() == MessageStatus.PROCESSED);
        String adtFhir = get("/api/messages/" + adtId, "admin", password).body();
        assertTrue(adtFhir, adtFhir.contains("\"resourceType\" : \"Patient\"") && adtFhir.contains("\"resourceType\" : \"Encounter\"")
                && adtFhir.contains("\"family\" : \"Doe\""));
        String oruFhir = get("/api/messages/" + id, "admin", password).body();
        assertTrue(oruFhir, oruFhir.contains("\"resourceType\" : \"DiagnosticReport\"")
                && oruFhir.contains("\"resourceType\" : \"Observation\"") && oruFhir.contains("\"system\" : \"http://loinc.org\"")
                && oruFhir.contains("\"code\" : \"2093-3\"") && oruFhir.contains("\"value\" : 195"));
        String byPatient = get("/api/messages?patient=urn:carebus:hl7v2:id:HOSP%7CMRN1", "admin", password).body();
        assertTrue(byPatient, byPatient.contains("IT-ADT-1") && byPatient.contains("IT-ORU-1"));
        assertTrue(get("/api/messages?patient=NOBODY", "admin", password).body().contains("\"messages\" : [ ]"));
        java.net.http.HttpResponse<String> reprocess = http(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/messages/" + adtId + "/reprocess"))
                .header("Authorization", basic("admin", password)).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(reprocess.body(), 202, reprocess.statusCode());
        await("IT-ADT-1 processed again", Duration.ofSeconds(30), () -> store.history(adtId).stream()
                .filter(h -> h.status() == MessageStatus.PROCESSED).count() == 2);
    }

    @Test
    public void badInputIsRefusedAndTheListenerKeepsServing() throws Exception {
        awaitListener();
        String ar = exchange(String.format(ADT, "IT-BAD-1").replace("|P|2.5", "|P|9.9"));
        assertTrue(ar, ar.contains("\rMSA|AR|IT-BAD-1"));
        assertTrue(ar, ar.contains("\rERR|"));
        assertEquals(MessageStatus.ERROR, storedWithControlId("IT-BAD-1").status());

        String notHl7 = exchange("this is not HL7");
        assertTrue("no MSH: " + notHl7, notHl7.contains("\rMSA|AR|") && notHl7.contains("\rERR|"));

        String ok = exchange(String.format(ADT, "IT-OK-1"));
        assertTrue(ok, ok.contains("\rMSA|AA|IT-OK-1"));

        // A sender that drops the connection in the middle of a frame.
        try (Socket socket = new Socket("localhost", mllpPort())) {
            byte[] frame = frame(String.format(ADT, "IT-TRUNC-1"));
            // Everything but the end of the frame: the patient's name is in what was sent.
            socket.getOutputStream().write(frame, 0, frame.length - 8);
        }
        String afterDrop = exchange(String.format(ADT, "IT-OK-2"));
        assertTrue(afterDrop, afterDrop.contains("\rMSA|AA|IT-OK-2"));

        // A slow sender: the frame trickles in over about 2 s and is still answered.
        try (Socket socket = new Socket("localhost", mllpPort())) {
            socket.setSoTimeout(10_000);
            byte[] frame = frame(String.format(ADT, "IT-SLOW-1"));
            for (int i = 0; i < frame.length; i += 16) {
                socket.getOutputStream().write(frame, i, Math.min(16, frame.length - i));
                socket.getOutputStream().flush();
                Thread.sleep(2000L * 16 / frame.length);
            }
            byte[] answer = new byte[4096];
            int n = socket.getInputStream().read(answer);
            String slow = new String(answer, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
            assertTrue(slow, slow.contains("\rMSA|AA|IT-SLOW-1"));
        }

        // The content of refused and broken frames never reaches the log (PHI): the patient name of the frames above.
        String log = java.nio.file.Files.readString(karafData().resolve("log/karaf.log"));
        assertTrue("the log shows message content", !log.contains("Doe^Jane"));
    }

    @Test
    public void shellCommandsListAndReprocess() throws Exception {
        awaitListener();
        assertTrue(exchange(String.format(ADT, "IT-SHELL-1")).contains("\rMSA|AA|IT-SHELL-1"));
        await("IT-SHELL-1 processed", Duration.ofSeconds(30),
                () -> storedWithControlId("IT-SHELL-1").status() == MessageStatus.PROCESSED);
        long id = storedWithControlId("IT-SHELL-1").id();

        String listed = runAs("carebus:messages --control-id IT-SHELL-1", "viewer");
        assertTrue(listed, listed.contains("IT-SHELL-1") && listed.contains("PROCESSED") && listed.contains("ADT^A01^ADT_A01"));
        String denied;
        try {
            denied = runAs("carebus:reprocess " + id, "viewer");
        } catch (Exception e) {
            denied = String.valueOf(e);
        }
        assertTrue("a viewer may not reprocess: " + denied, !denied.contains("queued for reprocessing"));
        String queued = runAs("carebus:reprocess " + id, "viewer", "engineer");
        assertTrue(queued, queued.contains(id + " queued for reprocessing"));
        await("IT-SHELL-1 processed twice", Duration.ofSeconds(30), () -> store.history(id).stream()
                .filter(h -> h.status() == MessageStatus.PROCESSED).count() == 2);

        String verified = runAs("carebus:audit-verify", "auditor");
        assertTrue(verified, verified.startsWith("INTACT: ") && verified.contains("records intact"));
        String notAllowed;
        try {
            notAllowed = runAs("carebus:audit-verify", "viewer");
        } catch (Exception e) {
            notAllowed = String.valueOf(e);
        }
        assertTrue("a viewer may not verify the audit: " + notAllowed, !notAllowed.contains("INTACT"));
    }

    @Test
    public void everyMessageIsAuditedAndTheChainVerifiesOverHttp() throws Exception {
        awaitListener();
        assertTrue(exchange(String.format(ADT, "IT-AUDIT-1")).contains("\rMSA|AA|IT-AUDIT-1"));
        long id = storedWithControlId("IT-AUDIT-1").id();
        String password = adminPassword();

        java.net.http.HttpResponse<String> verify = get("/api/audit/verify", "admin", password);
        assertEquals(verify.body(), 200, verify.statusCode());
        assertTrue(verify.body(), verify.body().contains("\"intact\" : true"));
        java.net.http.HttpResponse<String> trail = get("/api/audit?limit=10000", "admin", password);
        assertEquals(trail.body(), 200, trail.statusCode());
        assertTrue("the RECEIVE record of message " + id + ": " + trail.body(), trail.body().contains("\"message/" + id + "\"")
                && trail.body().contains("\"action\" : \"RECEIVE\""));
        assertTrue("no PHI in the audit trail", !trail.body().contains("Doe") && !trail.body().contains("MRN1"));
        // Reading the trail is itself on the trail.
        String again = get("/api/audit?limit=10000", "admin", password).body();
        assertTrue(again, again.contains("\"actor\" : \"user:admin\"") && again.contains("audit trail read"));
        java.net.http.HttpResponse<String> fhir = get("/api/audit/AuditEvent?limit=10000", "admin", password);
        assertEquals(fhir.body(), 200, fhir.statusCode());
        assertTrue(fhir.body(), fhir.body().contains("\"resourceType\":\"AuditEvent\"") && fhir.body().contains("\"code\":\"110107\"")
                && fhir.body().contains("message/" + id));
        assertEquals(401, get("/api/audit/verify", "admin", "wrong").statusCode());
        String afterFailure = get("/api/audit?limit=10000", "admin", password).body();
        assertTrue(afterFailure, afterFailure.contains("LOGIN_FAILURE"));
    }

    /** Runs a shell command as a user holding the given roles, and returns what it printed. */
    private String runAs(String command, String... roles) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        org.apache.karaf.shell.api.console.Session session = shell.create(new java.io.ByteArrayInputStream(new byte[0]), print, print);
        javax.security.auth.Subject subject = new javax.security.auth.Subject();
        subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("itest"));
        for (String role : roles) {
            subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal(role));
        }
        try {
            javax.security.auth.Subject.doAs(subject,
                    (java.security.PrivilegedExceptionAction<Object>) () -> session.execute(command));
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void awaitListener() throws InterruptedException {
        await("MLLP port open", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("localhost", mllpPort())) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private StoredMessage storedWithControlId(String controlId) {
        List<io.carebus.api.store.MessageSummary> found = store.search(
                new io.carebus.api.store.MessageQuery(controlId, null, null, null, null, null, null, null, 10));
        assertEquals("messages with control id " + controlId, 1, found.size());
        return store.find(found.get(0).id()).orElseThrow();
    }

    private static byte[] frame(String message) {
        return MllpClient.frame(message);
    }

    private static String exchange(String message) throws IOException {
        return MllpClient.exchange(mllpPort(), message);
    }
}
