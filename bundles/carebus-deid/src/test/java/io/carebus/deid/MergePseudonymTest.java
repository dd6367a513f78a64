package io.carebus.deid;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.deid.PatientIdentifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * An ADT^A40 names the patient it merges away (MRG-1) by the pseudonym that patient's own messages (PID-3) get, in the
 * HL7v2 message and in its FHIR form: otherwise nothing downstream of de-identification could follow the merge.
 */
class MergePseudonymTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final PseudonymDomain domain = new PseudonymDomain("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 30);
    private final Hl7Deidentifier hl7 = new Hl7Deidentifier(domain);
    private final FhirDeidentifier fhir = new FhirDeidentifier(domain);
    private final Hl7Profile safeHarbor = Hl7Profile.builtIn("safe-harbor");

    private static String field(String message, String segment, int field) {
        for (String line : message.split("\r")) {
            if (line.startsWith(segment + "|")) {
                String[] f = line.split("\\|", -1);
                return segment.equals("MSH") ? f[field - 1] : field < f.length ? f[field] : "";
            }
        }
        return null;
    }

    /** The pseudonym a message whose PID-3 is {@code cx} gives its patient. */
    private String pseudonymAsPid3(String msh34, String cx) throws Exception {
        return hl7.deidentify("MSH|^~\\&|" + msh34 + "|||20261101||ORU^R01^ORU_R01|O-1|P|2.5\rPID|1||" + cx + "||Other^Bert",
                safeHarbor, List.of()).pseudonym();
    }

    @Test
    void mrg1AndMrg4GetThePseudonymEachIdentifierGetsInPid3() throws Exception {
        String b = pseudonymAsPid3("LAB|HOSP", "MRN999^^^HOSP^MR");
        String unqualified = pseudonymAsPid3("LAB|HOSP", "4711^^^^PI");
        String external = pseudonymAsPid3("LAB|HOSP", "EXT-7^^^EXTERNAL");
        String a40 = "MSH|^~\\&|ADT|HOSP|||20261128||ADT^A40^ADT_A39|C5|P|2.5\rEVN|A40|20261128\r"
                + "PID|1||MRN123^^^HOSP^MR||Muster^Anna||19800214|F\rMRG|MRN999^^^HOSP^MR~4711^^^^PI|||EXT-7^^^EXTERNAL|||Other^Bert";
        Hl7Deidentifier.Result result = hl7.deidentify(a40, safeHarbor, List.of());

        assertThat(result.pseudonym()).as("the survivor").isEqualTo(pseudonymAsPid3("LAB|HOSP", "MRN123^^^HOSP^MR")).isNotEqualTo(b);
        String[] mrg1 = field(result.message(), "MRG", 1).split("~");
        assertThat(mrg1).containsExactly(b + "^^^CAREBUS^MR", unqualified + "^^^CAREBUS^PI");
        assertThat(field(result.message(), "MRG", 4)).isEqualTo(external + "^^^CAREBUS");
        assertThat(field(result.message(), "MRG", 7)).as("the prior name").isEmpty();
        assertThat(result.message()).doesNotContain("MRN999").doesNotContain("4711").doesNotContain("EXT-7").doesNotContain("Bert");
    }

    @Test
    void withoutMsh4TheAuthorityIsMsh3AsInTheFhirForm() throws Exception {
        String pid3 = pseudonymAsPid3("LAB|", "770011");
        // the HL7v2 intake's FHIR form names this patient urn:carebus:hl7v2:id:LAB|770011 (V2Types.cx, sending application)
        assertThat(pid3).isEqualTo(domain.pseudonym(new PatientIdentifier("urn:carebus:hl7v2:id:LAB", "770011")));
        Hl7Deidentifier.Result a40 = hl7.deidentify("MSH|^~\\&|LAB||||20261128||ADT^A40^ADT_A39|C6|P|2.5\rPID|1||770012\rMRG|770011",
                safeHarbor, List.of());
        assertThat(field(a40.message(), "MRG", 1)).isEqualTo(pid3 + "^^^CAREBUS");
    }

    @Test
    void theFhirFormNamesTheRetiredPatientByItsOwnPseudonymAndKeepsTheLinksResolving() {
        String b = domain.pseudonym(new PatientIdentifier("urn:carebus:hl7v2:id:HOSP", "MRN999"));
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient survivor = new Patient();
        survivor.addIdentifier(mr("MRN123"));
        Patient retired = new Patient();
        retired.addIdentifier(mr("MRN999"));
        retired.setActive(false);
        retired.addLink().setType(Patient.LinkType.REPLACEDBY).setOther(new Reference("urn:uuid:00000000-0000-4000-8000-000000000001"));
        survivor.addLink().setType(Patient.LinkType.REPLACES).setOther(new Reference("urn:uuid:00000000-0000-4000-8000-000000000002"));
        // a sender may name the retired patient by identifier only
        survivor.addLink().setType(Patient.LinkType.REPLACES).setOther(new Reference().setIdentifier(mr("MRN999")));
        bundle.addEntry().setFullUrl("urn:uuid:00000000-0000-4000-8000-000000000001").setResource(survivor);
        bundle.addEntry().setFullUrl("urn:uuid:00000000-0000-4000-8000-000000000002").setResource(retired);

        FhirDeidentifier.Result result = fhir.deidentify(bundle, Set.of(), List.of());
        String json = FHIR.newJsonParser().encodeResourceToString(result.resource());
        assertThat(json).doesNotContain("MRN999").doesNotContain("MRN123");
        assertThat(result.pseudonym()).as("the survivor is the patient").isEqualTo(domain.pseudonym(new PatientIdentifier("urn:carebus:hl7v2:id:HOSP", "MRN123")));
        assertThat(retired.getIdentifierFirstRep().getSystem()).isEqualTo(FhirDeidentifier.PSEUDONYM_SYSTEM);
        assertThat(retired.getIdentifierFirstRep().getValue()).isEqualTo(b);
        assertThat(survivor.getLink().get(0).getOther().getReference()).isEqualTo(bundle.getEntry().get(1).getFullUrl());
        assertThat(retired.getLinkFirstRep().getOther().getReference()).isEqualTo(bundle.getEntry().get(0).getFullUrl());
        assertThat(result.linkedShiftDays()).as("the retired patient's own date shift, for whoever moves its history")
                .containsExactly(java.util.Map.entry(b, domain.dateShiftDays(new PatientIdentifier("urn:carebus:hl7v2:id:HOSP", "MRN999"))));
        Identifier byIdentifier = survivor.getLink().get(1).getOther().getIdentifier();
        assertThat(byIdentifier.getSystem() + "|" + byIdentifier.getValue()).isEqualTo(FhirDeidentifier.PSEUDONYM_SYSTEM + "|" + b);
    }

    private static Identifier mr(String value) {
        Identifier id = new Identifier().setSystem("urn:carebus:hl7v2:id:HOSP").setValue(value);
        id.getType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/v2-0203").setCode("MR");
        return id;
    }
}
