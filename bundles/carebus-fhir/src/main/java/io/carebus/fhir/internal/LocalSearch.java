package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Resource;

/**
 * The local {@code GET /fhir/<type>?...} over the outbox: {@code subject} (or {@code patient}) as stored,
 * {@code subject.identifier} (or {@code patient.identifier}: {@code system|value}, or a value in any system),
 * {@code code}, {@code status} and {@code _count}. One entry per engine identifier, newest first.
 */
final class LocalSearch {

    /** The searchset, and the outbox rows it shows (for the audit record). */
    record Found(Bundle bundle, List<Long> outboxIds) {
    }

    private static final int STATUS_SCAN = 1000;

    private LocalSearch() {
    }

    static Found search(JdbcOutbox outbox, String type, Function<String, String> parameter) {
        String subject = first(parameter, "subject", "patient");
        String subjectIdentifier = first(parameter, "subject.identifier", "patient.identifier");
        String status = parameter.apply("status");
        int count = count(parameter.apply("_count"));
        // status is not a column of the outbox: it is read from the resources, in a wider page cut to _count after.
        List<JdbcOutbox.Stored> candidates = outbox.search(type, subject,
                subjectIdentifier == null || subjectIdentifier.isBlank() ? null : subjectIdentifier.strip(), parameter.apply("code"),
                status == null ? count : STATUS_SCAN);
        Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        bundle.getMeta().setLastUpdated(new Date());
        List<Long> ids = new ArrayList<>();
        for (JdbcOutbox.Stored stored : candidates) {
            Resource resource = parse(stored);
            if (ids.size() < count && (status == null || status.equals(statusOf(resource)))) {
                ids.add(stored.id());
                bundle.addEntry().setFullUrl(type + "/" + resource.getIdElement().getIdPart()).setResource(resource)
                        .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
            }
        }
        bundle.setTotal(ids.size());
        return new Found(bundle, ids);
    }

    static Resource parse(JdbcOutbox.Stored stored) {
        Resource resource = (Resource) FhirValidation.withHapiLoader(() ->
                FhirContext.forR4Cached().newJsonParser().parseResource(new String(stored.body(), StandardCharsets.UTF_8)));
        // An engine-assigned id (cb-...) is what other results reference: it stays; others get their outbox id.
        String own = resource.getIdElement().getIdPart();
        resource.setId(resource.fhirType() + "/" + (own != null && own.startsWith("cb-") ? own : Long.toString(stored.id())));
        // A result that carries no revision time of its own was last updated here when the engine stored it.
        if (!resource.getMeta().hasLastUpdated() && stored.storedMillis() > 0) {
            resource.getMeta().setLastUpdated(new Date(stored.storedMillis()));
        }
        return resource;
    }

    private static String first(Function<String, String> parameter, String name, String alias) {
        String value = parameter.apply(name);
        return value != null ? value : parameter.apply(alias);
    }

    private static String statusOf(Resource resource) {
        Property p = resource.getNamedProperty("status");
        return p != null && p.hasValues() && p.getValues().get(0) instanceof PrimitiveType<?> primitive ? primitive.getValueAsString() : null;
    }

    private static int count(String text) {
        try {
            return text == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(text)));
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
