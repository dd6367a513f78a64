package io.carebus.context.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A timeline as a FHIR R4 Bundle of type collection: the Patient with only birth date and gender (a model needs no
 * name or identifier), then one Observation per stored coded value, oldest first, each carrying the identity of the
 * observation it came from as its identifier, so the features a model used can be traced back to their sources.
 */
final class TimelineBundle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TimelineBundle() {
    }

    static String json(TimelineStore.Timeline timeline, Instant asOf) {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "collection");
        bundle.put("timestamp", asOf.toString());
        ArrayNode entries = bundle.putArray("entry");
        timeline.patient().ifPresent(p -> {
            ObjectNode patient = entries.addObject().putObject("resource");
            patient.put("resourceType", "Patient");
            patient.put("id", "subject");
            if (p.birthDate() != null) {
                patient.put("birthDate", p.birthDate());
            }
            if (p.gender() != null) {
                patient.put("gender", p.gender());
            }
        });
        for (TimelineStore.Entry e : timeline.observations()) {
            ObjectNode o = entries.addObject().putObject("resource");
            o.put("resourceType", "Observation");
            o.put("id", "c" + FhirMessageReader.sha256(e.key() + "\n" + e.code()).substring(0, 40));
            int bar = e.key().indexOf('|');
            ObjectNode identifier = o.putArray("identifier").addObject();
            if (bar > 0) {
                identifier.put("system", e.key().substring(0, bar));
            }
            identifier.put("value", e.key().substring(bar + 1));
            o.put("status", e.status());
            int codeBar = e.code().indexOf('|');
            ObjectNode coding = o.putObject("code").putArray("coding").addObject();
            if (codeBar > 0) {
                coding.put("system", e.code().substring(0, codeBar));
            }
            coding.put("code", e.code().substring(codeBar + 1));
            o.putObject("subject").put("reference", "Patient/subject");
            o.put("effectiveDateTime", e.effective().toString());
            if (e.value() != null) {
                ObjectNode quantity = o.putObject("valueQuantity");
                quantity.put("value", e.value());
                if (e.unit() != null) {
                    quantity.put("unit", e.unit());
                }
            }
        }
        return bundle.toString();
    }
}
