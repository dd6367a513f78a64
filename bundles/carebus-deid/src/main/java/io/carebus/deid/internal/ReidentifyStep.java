package io.carebus.deid.internal;

import io.carebus.api.deid.PatientIdentifier;
import io.carebus.camel.RouteStep;
import io.carebus.deid.FhirDeidentifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code carebus:reidentify}: at the outbound edge, turns pseudonymous patient references in the body's FHIR
 * resources (a resource or a list, as {@code carebus:fhir-results} leaves them) back into the real patient's identifier
 * from the vault: {@code subject}/{@code patient} references, and a Binary's {@code securityContext} (the heatmap of an
 * imaging result names its patient there), with identifier {@code urn:carebus:pseudonym|...}.
 * Every lookup is audited. An unknown pseudonym fails the exchange: a result must never reach an EHR about nobody.
 */
@Component(service = RouteStep.class)
public class ReidentifyStep implements RouteStep {

    private final DeidService deid;

    @Activate
    public ReidentifyStep(@org.osgi.service.component.annotations.Reference DeidService deid) {
        this.deid = deid;
    }

    @Override
    public String name() {
        return "reidentify";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public void process(Exchange exchange, Map<String, String> options) {
        Object body = exchange.getMessage().getBody();
        List<Resource> resources = new ArrayList<>();
        if (body instanceof Resource r) {
            resources.add(r);
        } else if (body instanceof Collection<?> c) {
            c.stream().filter(Resource.class::isInstance).map(Resource.class::cast).forEach(resources::add);
        } else {
            throw new IllegalArgumentException("carebus:reidentify needs FHIR resources (a resource or a list) as the body");
        }
        String actor = "route:" + exchange.getFromRouteId();
        for (Resource resource : resources) {
            for (String name : new String[] {"subject", "patient", "securityContext"}) {
                Property p = resource.getNamedProperty(name);
                if (p == null) {
                    continue;
                }
                for (Base value : p.getValues()) {
                    if (value instanceof Reference ref && ref.hasIdentifier()
                            && FhirDeidentifier.PSEUDONYM_SYSTEM.equals(ref.getIdentifier().getSystem())) {
                        String pseudonym = ref.getIdentifier().getValue();
                        Optional<PatientIdentifier> real = deid.reidentify(pseudonym, actor);
                        PatientIdentifier patient = real.orElseThrow(() -> new IllegalStateException(
                                "pseudonym " + pseudonym + " is not in the vault: the result cannot be re-linked"));
                        ref.setIdentifier(new Identifier().setSystem(patient.system()).setValue(patient.value()));
                    }
                }
            }
        }
    }
}
