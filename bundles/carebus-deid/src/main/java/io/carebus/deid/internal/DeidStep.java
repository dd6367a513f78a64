package io.carebus.deid.internal;

import ca.uhn.fhir.parser.IParser;
import io.carebus.camel.RouteStep;
import io.carebus.deid.FhirDeidentifier;
import io.carebus.deid.Hl7Deidentifier;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code carebus:deid[?profile=safe-harbor]}: de-identifies the body in its own format (HL7v2 ER7 text, or FHIR JSON/XML)
 * and, for HL7v2, its FHIR form in header {@code CareBusFhirBundle} with the same patient; on a DICOM instance's
 * exchange (header {@code CareBusDicomFile}) also the instance itself, into header {@code CareBusDicomDeidentified}; sets {@code CareBusSubject}
 * to the patient's pseudonym (what {@code carebus:infer} records) and {@code CareBusSubjectReference} to the pseudonymous
 * identifier ({@code urn:carebus:pseudonym|...}, what {@code carebus:fhir-results} puts on results and
 * {@code carebus:reidentify} turns back), and {@code CareBusDateShiftDays}; when the message names other patients (a
 * merge's retired one) {@code CareBusLinkedDateShiftDays}: {@code Map<String, Integer>}, each one's pseudonym to its
 * own date shift (what {@code carebus:context} needs to move that patient's history into this one's dates).
 */
@Component(service = RouteStep.class)
public class DeidStep implements RouteStep {

    static final String FHIR_BUNDLE = "CareBusFhirBundle";
    static final String LINKED_SHIFTS = "CareBusLinkedDateShiftDays";
    private final DeidService deid;

    @Activate
    public DeidStep(@Reference DeidService deid) {
        this.deid = deid;
    }

    @Override
    public String name() {
        return "deid";
    }

    @Override
    public Set<String> options() {
        return Set.of("profile");
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) throws Exception {
        Message in = exchange.getMessage();
        String profile = options.getOrDefault("profile", "safe-harbor");
        String actor = "route:" + exchange.getFromRouteId();
        String dicomPseudonym = null;
        Integer dicomShift = null;
        java.nio.file.Path dicomFile = in.getHeader(io.carebus.dicom.DicomHeaders.FILE, java.nio.file.Path.class);
        if (dicomFile != null) {
            io.carebus.dicom.DicomDeidentifier.Result dicom = deid.deidentifyDicom(java.nio.file.Files.readAllBytes(dicomFile), profile,
                    actor);
            in.setHeader(io.carebus.dicom.DicomHeaders.DEIDENTIFIED, dicom.part10());
            if (dicom.patient() != null) {
                dicomPseudonym = dicom.pseudonym();
                dicomShift = deid.domain().dateShiftDays(dicom.patient());
            }
        }
        Object body = in.getBody();
        String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : in.getBody(String.class);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("carebus:deid needs an HL7v2 message or a FHIR resource as the body");
        }
        String pseudonym;
        int shift;
        java.util.Map<String, Integer> linked = new java.util.TreeMap<>();
        if (text.startsWith("MSH")) {
            Hl7Deidentifier.Result result = deid.deidentifyHl7(text, profile, actor);
            in.setBody(body instanceof byte[] ? result.message().getBytes(StandardCharsets.UTF_8) : result.message());
            pseudonym = result.pseudonym();
            shift = result.shiftDays();
            String bundle = in.getHeader(FHIR_BUNDLE, String.class);
            if (bundle != null) {
                Fhir form = fhir(bundle, profile, actor, false);
                in.setHeader(FHIR_BUNDLE, form.json);
                linked.putAll(form.result.linkedShiftDays());
            }
        } else {
            Fhir out = fhir(text, profile, actor, text.stripLeading().startsWith("<"));
            in.setBody(out.json);
            pseudonym = out.result.pseudonym();
            shift = out.result.shiftDays();
            linked.putAll(out.result.linkedShiftDays());
            if (in.getHeader(FHIR_BUNDLE) != null) {
                Fhir form = fhir(in.getHeader(FHIR_BUNDLE, String.class), profile, actor, false);
                in.setHeader(FHIR_BUNDLE, form.json);
                linked.putAll(form.result.linkedShiftDays());
            }
        }
        if (pseudonym == null && dicomPseudonym != null) {
            // an ImagingStudy names its patient by identifier only; the DICOM header said who it is
            pseudonym = dicomPseudonym;
            shift = dicomShift;
        }
        if (pseudonym != null) {
            in.setHeader("CareBusSubject", pseudonym);
            in.setHeader("CareBusSubjectReference", FhirDeidentifier.PSEUDONYM_SYSTEM + "|" + pseudonym);
        }
        in.setHeader("CareBusDateShiftDays", shift);
        // Another patient the message names (the one an ADT^A40 merges away): its pseudonym and its own date shift,
        // so carebus:context can move that patient's shifted history into this patient's shift.
        if (linked.isEmpty()) {
            in.removeHeader(LINKED_SHIFTS);
        } else {
            in.setHeader(LINKED_SHIFTS, java.util.Map.copyOf(linked));
        }
    }

    private record Fhir(String json, FhirDeidentifier.Result result) {
    }

    private Fhir fhir(String text, String profile, String actor, boolean xml) {
        IParser parser = xml ? deid.fhirContext().newXmlParser() : deid.fhirContext().newJsonParser();
        Resource resource = deid.parseFhir(text, xml);
        FhirDeidentifier.Result result = deid.deidentifyFhir(resource, profile, actor);
        return new Fhir(parser.encodeResourceToString(result.resource()), result);
    }
}
