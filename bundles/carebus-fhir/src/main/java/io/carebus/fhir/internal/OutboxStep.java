package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.camel.RouteStep;
import io.carebus.fhir.FhirHeaders;
import io.carebus.fhir.ResultResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code carebus:ehr[?ehr=a,b][&types=Observation,RiskAssessment]}: puts FHIR resources into the outbox for the named
 * EHRs (default: every configured EHR; none configured: kept LOCAL, readable at the appliance's /fhir, unless
 * {@code keepLocal=false}, which then queues nothing). The resources
 * are the body (a resource, a list of resources, or FHIR JSON of a resource or Bundle), or the message's FHIR form
 * (header {@code CareBusFhirBundle}) when the body is not FHIR. A resource without the engine identifier gets one
 * derived from the input (posted bytes or message id, and the resource's place in it), so running the route again
 * for the same input queues nothing new. Header {@code CareBusOutboxIds} lists the entries.
 * <p>
 * {@code fallback=<endpoint>}: results an EHR's CapabilityStatement shows it cannot take as FHIR (no create or
 * conditional update for the type) go to that Camel endpoint instead, as one HL7v2.5.1 ORU^R01 per EHR (header
 * {@code CareBusEhr} names it), e.g. an {@code mllp:} endpoint or a route that sends there; a failure there fails the
 * route, so the message can be reprocessed.
 */
@Component(service = RouteStep.class)
public class OutboxStep implements RouteStep {

    static final String OUTBOX_IDS = "CareBusOutboxIds";
    static final String LOCAL = "local";
    /** What the engine emits by default: results and what they need. Patients and encounters stay with their sources. */
    static final Set<String> DEFAULT_TYPES = Set.of("Observation", "RiskAssessment", "Condition", "DiagnosticReport", "Provenance",
            "Device", "DocumentReference", "Binary", "Flag", "Communication");
    /**
     * Results that change while they keep their identifier (an alert's Flag: active, updated, inactive): their
     * {@code meta.lastUpdated} is the revision, and a newer revision replaces the queued one (see JdbcOutbox).
     */
    static final Set<String> REVISABLE_TYPES = Set.of("Flag");

    private final OutboxComponent outbox;
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final List<EhrEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @Activate
    public OutboxStep(@org.osgi.service.component.annotations.Reference OutboxComponent outbox) {
        this.outbox = outbox;
    }

    @org.osgi.service.component.annotations.Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(EhrEndpoint endpoint) {
        endpoints.add(endpoint);
    }

    void removeEndpoint(EhrEndpoint endpoint) {
        endpoints.remove(endpoint);
    }

    @Override
    public String name() {
        return "ehr";
    }

    @Override
    public Set<String> options() {
        return Set.of("ehr", "types", "fallback", "keepLocal");
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        Message in = exchange.getMessage();
        Set<String> types = options.containsKey("types") ? split(options.get("types")) : DEFAULT_TYPES;
        if ("false".equalsIgnoreCase(String.valueOf(options.get("keepLocal")).strip()) && targets(options.get("ehr")).equals(List.of(LOCAL))) {
            // Relaying what the hospital already has (an ADT's Patient) makes sense only towards an EHR: without one,
            // a copy kept here would only be another store of PHI.
            in.setHeader(OUTBOX_IDS, List.of());
            return;
        }
        List<Resource> resources = resources(in);
        Long messageId = in.getHeader(FhirHeaders.MESSAGE_ID, Long.class);
        String source = in.getHeader(FhirHeaders.PAYLOAD_SHA256, messageId == null ? exchange.getExchangeId() : "message-" + messageId,
                String.class);
        List<String> targets = targets(options.get("ehr"));
        ResultResources results = outbox.results();
        List<Long> ids = new ArrayList<>();
        String fallback = options.get("fallback");
        Map<String, List<Resource>> toFallback = new java.util.TreeMap<>();
        int index = 0;
        for (Resource resource : resources) {
            index++;
            if (!types.contains(resource.fhirType())) {
                continue;
            }
            Identifier identifier;
            if (resource.getNamedProperty("identifier") == null) {
                // No identifier element (Provenance): the resource is written by PUT to a client-assigned id instead.
                if (!resource.hasIdElement() || !resource.getIdElement().hasIdPart()) {
                    resource.setId("cb-" + ResultResources.stableValue("relay", source, Integer.toString(index), resource.fhirType()));
                }
                identifier = new Identifier().setSystem(EhrClient.BY_ID).setValue(resource.getIdElement().getIdPart());
            } else {
                identifier = results.engineIdentifierOf(resource).orElse(null);
            }
            if (identifier == null) {
                identifier = results.engineIdentifier(ResultResources.stableValue("relay", source, Integer.toString(index), resource.fhirType()));
                ResultResources.stamp(resource, identifier);
            }
            byte[] body = FhirValidation.withHapiLoader(() -> fhir.newJsonParser().encodeResourceToString(resource))
                    .getBytes(StandardCharsets.UTF_8);
            for (String ehr : targets) {
                if (fallback != null && OruFallback.supports(resource) && !writable(ehr, resource.fhirType())) {
                    toFallback.computeIfAbsent(ehr, e -> new ArrayList<>()).add(resource);
                    continue;
                }
                ids.add(outbox.outbox().enqueue(new JdbcOutbox.Item(ehr, resource.fhirType(), identifier.getSystem(), identifier.getValue(),
                        subject(resource), code(resource), messageId, body, revision(resource)), LOCAL.equals(ehr)));
            }
        }
        endpoints.stream().filter(e -> targets.contains(e.ehrName())).forEach(EhrEndpoint::wake);
        in.setHeader(OUTBOX_IDS, ids);
        if (!toFallback.isEmpty()) {
            sendFallback(exchange, fallback, toFallback, source);
        }
    }

    /** False only when the EHR's CapabilityStatement was read and shows no write for the type. */
    private boolean writable(String ehr, String type) {
        return endpoints.stream().filter(e -> e.ehrName().equals(ehr)).findFirst()
                .flatMap(e -> e.writable(type)).orElse(true);
    }

    private static void sendFallback(Exchange exchange, String endpoint, Map<String, List<Resource>> perEhr, String source) {
        try (org.apache.camel.ProducerTemplate producer = exchange.getContext().createProducerTemplate()) {
            for (Map.Entry<String, List<Resource>> e : perEhr.entrySet()) {
                String controlId = ResultResources.stableValue("oru", source, e.getKey()).substring(0, 20);
                String oru = OruFallback.build(e.getValue(), controlId, e.getKey(), "");
                Exchange sent = producer.send(endpoint, x -> {
                    x.getMessage().setBody(oru);
                    x.getMessage().setHeader("CareBusEhr", e.getKey());
                });
                if (sent.getException() != null) {
                    throw new IllegalStateException("ORU^R01 fallback for EHR " + e.getKey() + " to " + endpoint + " failed: "
                            + sent.getException().getMessage(), sent.getException());
                }
            }
        } catch (ca.uhn.hl7v2.HL7Exception | java.io.IOException e) {
            throw new IllegalStateException("cannot build the ORU^R01 fallback: " + e.getMessage(), e);
        }
    }

    private List<String> targets(String named) {
        if (named != null && !named.isBlank()) {
            List<String> wanted = List.copyOf(split(named));
            for (String ehr : wanted) {
                if (!LOCAL.equals(ehr) && endpoints.stream().noneMatch(e -> e.ehrName().equals(ehr))) {
                    throw new IllegalArgumentException("no EHR named " + ehr + " is configured (etc/io.carebus.ehr-" + ehr + ".cfg)");
                }
            }
            return wanted;
        }
        List<String> all = endpoints.stream().map(EhrEndpoint::ehrName).sorted().toList();
        return all.isEmpty() ? List.of(LOCAL) : all;
    }

    private List<Resource> resources(Message in) {
        Object body = in.getBody();
        if (body instanceof Resource resource) {
            return flatten(resource);
        }
        if (body instanceof Collection<?> collection && collection.stream().allMatch(Resource.class::isInstance)) {
            return collection.stream().map(Resource.class::cast).flatMap(r -> flatten(r).stream()).toList();
        }
        String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : body instanceof String s ? s : null;
        if (text == null || !(text.stripLeading().startsWith("{") || text.stripLeading().startsWith("<"))) {
            text = in.getHeader(FhirHeaders.FHIR_BUNDLE, String.class);
        }
        if (text == null) {
            throw new IllegalArgumentException("carebus:ehr needs FHIR resources in the body or header " + FhirHeaders.FHIR_BUNDLE);
        }
        String fhirText = text;
        IBaseResource parsed = FhirValidation.withHapiLoader(() -> fhirText.stripLeading().startsWith("<")
                ? fhir.newXmlParser().parseResource(fhirText) : fhir.newJsonParser().parseResource(fhirText));
        return flatten((Resource) parsed);
    }

    private static List<Resource> flatten(Resource resource) {
        if (resource instanceof Bundle bundle) {
            return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null).toList();
        }
        return List.of(resource);
    }

    private static Set<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    private static Long revision(Resource resource) {
        return REVISABLE_TYPES.contains(resource.fhirType()) && resource.getMeta().hasLastUpdated()
                ? resource.getMeta().getLastUpdated().getTime() : null;
    }

    /** The subject (or patient) reference, as the local /fhir searches it. */
    static String subject(Resource resource) {
        // Binary names its patient as securityContext (the access rules to apply).
        for (String name : new String[] {"subject", "patient", "securityContext"}) {
            org.hl7.fhir.r4.model.Property p = resource.getNamedProperty(name);
            if (p != null && p.hasValues() && p.getValues().get(0) instanceof Reference ref) {
                if (ref.hasReference()) {
                    return ref.getReference();
                }
                if (ref.hasIdentifier()) {
                    return ref.getIdentifier().getSystem() + "|" + ref.getIdentifier().getValue();
                }
            }
        }
        return null;
    }

    /** The first coding of {@code code} as system|code. */
    static String code(Resource resource) {
        org.hl7.fhir.r4.model.Property p = resource.getNamedProperty("code");
        if (p != null && p.hasValues() && p.getValues().get(0) instanceof CodeableConcept concept && concept.hasCoding()) {
            return concept.getCodingFirstRep().getSystem() + "|" + concept.getCodingFirstRep().getCode();
        }
        if (resource instanceof org.hl7.fhir.r4.model.RiskAssessment risk && risk.hasPrediction()
                && risk.getPredictionFirstRep().getOutcome().hasCoding()) {
            org.hl7.fhir.r4.model.Coding c = risk.getPredictionFirstRep().getOutcome().getCodingFirstRep();
            return c.getSystem() + "|" + c.getCode();
        }
        return null;
    }
}
