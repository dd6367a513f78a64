package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * De-identification in the booted appliance, through the try-it endpoint: an HL7v2 message and a FHIR Patient of the
 * same patient come back without their identifiers and with one pseudonym.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeidIT extends CareBusTestSupport {

    @Inject
    protected BootFinished bootFinished;

    private HttpResponse<String> deid(String body, String contentType, String user, String password) throws Exception {
        return http(HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + "/api/deid?profile=safe-harbor"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", basic(user, password)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    public void theTryItEndpointDeidentifiesHl7AndFhirWithOnePseudonym() throws Exception {
        String password = adminPassword();
        String hl7 = "MSH|^~\\&|EPIC|GENHOSP|CAREBUS|CAREBUS|20261127101500||ADT^A01^ADT_A01|C1|P|2.5.1\r"
                + "PID|1||MRN0099123^^^GENHOSP^MR||Quixote^Alonso||19510307|M|||12 Windmill Lane^^La Mancha^MA^02139||555-867-5309\r"
                + "NTE|1||Mr Quixote (MRN0099123) called from 555 867 5309 on 03/07/1951";
        HttpResponse<String> out = deid(hl7, "application/hl7-v2", "admin", password);
        assertEquals(out.body(), 200, out.statusCode());
        for (String original : new String[] {"MRN0099123", "Quixote", "Alonso", "Windmill", "La Mancha", "5309", "19510307", "03/07/1951"}) {
            assertFalse(original + " left in " + out.body(), out.body().toLowerCase().contains(original.toLowerCase()));
        }
        Matcher hl7Pseudonym = Pattern.compile("(P[A-Za-z0-9]+-[A-Z0-9]{16})").matcher(out.body());
        assertTrue(out.body(), hl7Pseudonym.find());

        String patient = "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"type\":{\"coding\":[{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"system\":\"urn:carebus:hl7v2:id:GENHOSP\","
                + "\"value\":\"MRN0099123\"}],\"name\":[{\"family\":\"Quixote\",\"given\":[\"Alonso\"]}],\"birthDate\":\"1951-03-07\"}";
        HttpResponse<String> fhir = deid(patient, "application/fhir+json", "admin", password);
        assertEquals(fhir.body(), 200, fhir.statusCode());
        assertTrue(fhir.body(), fhir.body().contains(hl7Pseudonym.group(1)));
        assertFalse(fhir.body(), fhir.body().contains("Quixote") || fhir.body().contains("MRN0099123"));

        // DICOM is de-identified too (DicomIT and carebus-deid's tests do real instances); garbage is a clear 400
        HttpResponse<String> notDicom = deid("DICM", "application/dicom", "admin", password);
        assertEquals(notDicom.body(), 400, notDicom.statusCode());
        assertEquals(415, deid("%PDF-1.7", "application/pdf", "admin", password).statusCode());
        assertEquals(400, deid("MSH|garbage", "application/hl7-v2", "admin", password).statusCode());
    }
}
