package io.carebus.fhir.testing;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.testehr.TestEhrProcess;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The real test EHR (HAPI FHIR's JPA server, {@link TestEhrProcess}) as the tests read it: what it stored, counted by
 * its own search and history (version ids), never by anything the engine computed.
 */
public final class JpaEhr {

    private final TestEhrProcess server;
    private final FhirContext fhir;

    public JpaEhr(TestEhrProcess server, FhirContext fhir) {
        this.server = server;
        this.fhir = fhir;
    }

    public static JpaEhr shared(FhirContext fhir) {
        return new JpaEhr(TestEhrProcess.shared(), fhir);
    }

    public TestEhrProcess server() {
        return server;
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public String tokenUrl() {
        return server.tokenUrl();
    }

    /** The resources a search finds ({@code query} like {@code Observation?identifier=s|v}), every page. */
    public List<Resource> search(String query) {
        return bundleEntries(server.get(query + (query.contains("?") ? "&" : "?") + "_count=500"));
    }

    public List<Resource> byIdentifier(String type, String system, String value) {
        return search(type + "?identifier=" + URLEncoder.encode(system + "|" + value, StandardCharsets.UTF_8));
    }

    /** Every version the server holds of one resource, newest first. */
    public List<Resource> history(String type, String id) {
        return bundleEntries(server.get(type + "/" + id + "/_history?_count=500"));
    }

    /** Every version of every resource of this type written at or after {@code since}: one per delivery that stored. */
    public List<Resource> historySince(String type, Instant since) {
        return bundleEntries(server.get(type + "/_history?_count=500&_since=" + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8)));
    }

    private List<Resource> bundleEntries(String json) {
        Bundle bundle = fhir.newJsonParser().parseResource(Bundle.class, json);
        if (bundle.getLink(Bundle.LINK_NEXT) != null) {
            throw new IllegalStateException("more than one page; the tests write fewer than 500 resources per check");
        }
        return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null).toList();
    }
}
