package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.HapiContext;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every hand-written sample (each family, versions 2.3 to 2.8) maps to a Bundle that holds the resources its segments
 * call for and validates against the R4 base definitions with the /fhir intake's validator chain (0 errors); parsed
 * generically (HAPI's GenericMessage, as for a version or structure HAPI does not know) it maps to the same resources.
 */
class SampleMessagesTest {

    private static final HapiContext VERSIONED = Samples.hapi(false);
    private static final HapiContext GENERIC = Samples.hapi(true);
    private final Hl7FhirMapper mapper = new Hl7FhirMapper(Samples.ZONE);

    static List<String> samples() {
        return Samples.names();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void mapsToAValidBundleWithTheResourcesItsSegmentsCallFor(String sample) throws Exception {
        Hl7FhirMapper.Mapped mapped = mapper.map(Samples.parse(VERSIONED, Samples.text(sample)), sample).orElseThrow();
        Map<String, Integer> counts = Samples.counts(mapped.bundle());
        System.out.println(sample + " -> " + counts + (mapped.warnings().isEmpty() ? "" : " warnings " + mapped.warnings()));
        assertThat(counts.keySet()).containsAll(Samples.expected().get(sample)).contains("MessageHeader", "Provenance");
        assertThat(R4Validation.errors(mapped.bundle())).as(sample).isEmpty();
        assertThat(mapped.bundle().getEntry()).allSatisfy(e -> assertThat(e.getRequest().getMethod())
                .isIn(Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.POST));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void theGenericStructureMapsToTheSameResources(String sample) throws Exception {
        Hl7FhirMapper.Mapped versioned = mapper.map(Samples.parse(VERSIONED, Samples.text(sample)), sample).orElseThrow();
        Hl7FhirMapper.Mapped generic = mapper.map(Samples.parse(GENERIC, Samples.text(sample)), sample).orElseThrow();
        assertThat(Samples.counts(generic.bundle())).isEqualTo(Samples.counts(versioned.bundle()));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aReplayUsesTheSameConditionalUrls(String sample) throws Exception {
        Bundle first = mapper.map(Samples.parse(VERSIONED, Samples.text(sample)), "1").orElseThrow().bundle();
        Bundle replay = mapper.map(Samples.parse(VERSIONED, Samples.text(sample)), "2").orElseThrow().bundle();
        List<String> urls = first.getEntry().stream().map(e -> e.getRequest().getUrl()).toList();
        assertThat(replay.getEntry().stream().map(e -> e.getRequest().getUrl()).toList()).isEqualTo(urls);
        assertThat(first.getEntry()).as("every resource is identified, so a replay updates it")
                .allSatisfy(e -> assertThat(e.getRequest().getMethod()).as(e.getResource().fhirType()).isEqualTo(Bundle.HTTPVerb.PUT));
    }

    @Test
    void practitionersOrganizationsAndLocationsAppearOncePerIdentifier() throws Exception {
        Bundle bundle = mapper.map(Samples.parse(VERSIONED, Samples.text("adt-a01-v251.hl7")), "k").orElseThrow().bundle();
        List<String> shared = bundle.getEntry().stream()
                .filter(e -> List.of("Practitioner", "Organization", "Location").contains(e.getResource().fhirType()))
                .map(e -> e.getRequest().getUrl()).toList();
        assertThat(shared).doesNotHaveDuplicates();
        // House is attending (PV1-7), admitting (PV1-17), in ROL and DG1-16: one Practitioner
        assertThat(shared.stream().filter(u -> u.startsWith("Practitioner?") && u.endsWith("%7C1234"))).hasSize(1);
    }
}
