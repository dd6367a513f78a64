package io.carebus.hl7.internal.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code adt-to-ehr} route sends the EHR only the resource types its {@code types} name. Whatever it sends
 * must not point at a resource it leaves out (the attending Practitioner, the ward Location, the payor Organization of
 * a Coverage, the guarantor of an Account): checked on every ADT, BAR and DFT message of the samples and the
 * real-world corpus, against the template's default as shipped in {@code routes/pipeline-templates.yaml}.
 */
class AdtToEhrTypesTest {

    private static final Path TEMPLATES = Path.of("../../routes/pipeline-templates.yaml");

    static Set<String> shippedTypes() throws Exception {
        String yaml = Files.readString(TEMPLATES, StandardCharsets.UTF_8);
        String template = yaml.substring(yaml.indexOf("id: adt-to-ehr"));
        Matcher m = Pattern.compile("- name: types\\s+defaultValue: \"([^\"]*)\"").matcher(template);
        assertThat(m.find()).as("adt-to-ehr declares its types").isTrue();
        return Set.of(m.group(1).split(","));
    }

    @Test
    void theAdtToEhrRouteSendsWhatTheResourcesItSendsReferTo() throws Exception {
        Set<String> types = shippedTypes();
        assertThat(types).contains("Patient", "Encounter", "Condition", "AllergyIntolerance", "Practitioner", "Location",
                "Organization", "RelatedPerson", "Coverage", "Procedure", "Account", "PractitionerRole");
        Hl7FhirMapper mapper = new Hl7FhirMapper(Samples.ZONE);
        List<String> messages = new ArrayList<>();
        for (String sample : Samples.names()) {
            if (sample.startsWith("adt-")) {
                messages.add(Samples.text(sample));
            }
        }
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/realworld"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("adt-")).sorted().toList()) {
                messages.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).replace("\uFEFF", "")
                        .replace("\u00EF\u00BB\u00BF", ""));
            }
        }
        assertThat(messages).hasSizeGreaterThan(30);
        Set<String> dangling = new TreeSet<>();
        Map<String, Integer> sent = new java.util.TreeMap<>();
        for (String text : messages) {
            Bundle bundle = mapper.map(Samples.parse(Samples.hapi(false), text), "k").orElseThrow().bundle();
            Map<String, String> typeAt = bundle.getEntry().stream()
                    .collect(Collectors.toMap(Bundle.BundleEntryComponent::getFullUrl, e -> e.getResource().fhirType()));
            for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
                Resource r = e.getResource();
                if (!types.contains(r.fhirType())) {
                    continue;
                }
                sent.merge(r.fhirType(), 1, Integer::sum);
                for (Reference ref : references(r)) {
                    String target = typeAt.get(ref.getReference());
                    if (target != null && !types.contains(target)) {
                        dangling.add(r.fhirType() + " -> " + target);
                    }
                }
            }
        }
        System.out.println("adt-to-ehr sends " + sent);
        assertThat(dangling).as("references from what is sent to what is not").isEmpty();
        assertThat(sent.keySet()).as("each listed type occurs in the ADT corpus").containsAll(types);
    }

    private static List<Reference> references(Base base) {
        List<Reference> out = new ArrayList<>();
        base.children().forEach(p -> p.getValues().forEach(v -> {
            if (v instanceof Reference ref && ref.hasReference()) {
                out.add(ref);
            } else if (v != null && !v.isPrimitive()) {
                out.addAll(references(v));
            }
        }));
        return out;
    }
}
