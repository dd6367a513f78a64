package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ADT_A01;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Hl7RendererTest {

    private static HapiContext hapi;
    private final Hl7Renderer renderer = new Hl7Renderer("t1");

    @BeforeAll
    static void hapi() {
        hapi = new DefaultHapiContext();
        hapi.setValidationContext(ValidationContextFactory.defaultValidation()); // primitive types: dates, numbers
    }

    @AfterAll
    static void close() throws Exception {
        hapi.close();
    }

    private static List<ClinicalEvent> events(ClinicalEvent.Kind kind) {
        return StreamGenerator.forPatient(0, true, Fixtures.spec(5)).stream().filter(e -> e.kind() == kind).toList();
    }

    @Test
    void admissionIsAnAdtA01ThatHapiParsesWithTheMrnAndDemographics() throws Exception {
        ClinicalEvent admit = events(ClinicalEvent.Kind.ADMIT).get(0);
        Message parsed = hapi.getPipeParser().parse(renderer.render(admit, Fixtures.patient()));
        assertThat(parsed).isInstanceOf(ADT_A01.class);
        ADT_A01 adt = (ADT_A01) parsed;
        assertThat(adt.getMSH().getMessageType().encode()).isEqualTo("ADT^A01^ADT_A01");
        assertThat(adt.getMSH().getMessageControlID().getValue()).isEqualTo(renderer.controlId(admit));
        PID pid = adt.getPID();
        assertThat(pid.getPatientIdentifierList(0).getIDNumber().getValue()).isEqualTo("MRN-T0");
        assertThat(pid.getPatientIdentifierList(0).getAssigningAuthority().getUniversalID().getValue()).isEqualTo("2.999.1");
        assertThat(pid.getPatientIdentifierList(0).getAssigningAuthority().getUniversalIDType().getValue()).isEqualTo("ISO");
        assertThat(pid.getPatientIdentifierList(0).getIdentifierTypeCode().getValue()).isEqualTo("MR");
        assertThat(pid.getPatientName(0).getFamilyName().getSurname().getValue()).isEqualTo("Testperson");
        assertThat(pid.getDateTimeOfBirth().getTime().getValue()).isEqualTo("19510314");
        assertThat(pid.getAdministrativeSex().getValue()).isEqualTo("F");
        assertThat(adt.getPV1().getPatientClass().getValue()).isEqualTo("I");
        assertThat(adt.getPV1().getVisitNumber().getIDNumber().getValue()).isEqualTo("t1V0");
        assertThat(adt.getPV1().getAdmitDateTime().getTime().getValue()).isEqualTo(Hl7Renderer.ts(admit.time()));
    }

    @Test
    void vitalsAreOneOruWithOneNumericObxPerValueTimedAtTheObservation() throws Exception {
        for (ClinicalEvent vitals : events(ClinicalEvent.Kind.VITALS).subList(0, 5)) {
            ORU_R01 oru = (ORU_R01) hapi.getPipeParser().parse(renderer.render(vitals, Fixtures.patient()));
            assertThat(oru.getMSH().getSendingApplication().getNamespaceID().getValue()).isEqualTo("E2E-MONITOR");
            assertThat(oru.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0).getIDNumber().getValue()).isEqualTo("MRN-T0");
            assertThat(oru.getPATIENT_RESULT().getORDER_OBSERVATIONReps()).isEqualTo(1);
            assertThat(observed(oru)).isEqualTo(vitals.values());
            for (OBX obx : obxs(oru)) {
                assertThat(obx.getValueType().getValue()).isEqualTo("NM");
                assertThat(obx.getObservationResultStatus().getValue()).isEqualTo("F");
                assertThat(obx.getDateTimeOfTheObservation().getTime().getValue()).isEqualTo(Hl7Renderer.ts(vitals.time()));
                assertThat(obx.getUnits().getNameOfCodingSystem().getValue()).isEqualTo("UCUM");
                assertThat(obx.getObservationIdentifier().getNameOfCodingSystem().getValue()).isEqualTo("LN");
            }
        }
    }

    @Test
    void labsAreASeparateOruWithOneOrderPerTest() throws Exception {
        ClinicalEvent labs = events(ClinicalEvent.Kind.LABS).get(1);
        ORU_R01 oru = (ORU_R01) hapi.getPipeParser().parse(renderer.render(labs, Fixtures.patient()));
        assertThat(oru.getMSH().getSendingApplication().getNamespaceID().getValue()).isEqualTo("E2E-LAB");
        assertThat(oru.getPATIENT_RESULT().getORDER_OBSERVATIONReps()).isEqualTo(2);
        assertThat(oru.getPATIENT_RESULT().getORDER_OBSERVATION(0).getOBR().getUniversalServiceIdentifier().getIdentifier().getValue())
                .isEqualTo("58410-2");
        assertThat(observed(oru)).isEqualTo(labs.values());
        assertThat(obxs(oru)).allSatisfy(obx ->
                assertThat(obx.getDateTimeOfTheObservation().getTime().getValue()).isEqualTo(Hl7Renderer.ts(labs.time())));
    }

    @Test
    void codesAndUnitsAreWhatTheSepsisModelCardDeclares() throws Exception {
        JsonNode card;
        try (InputStream in = getClass().getResourceAsStream("/model-card.yaml")) {
            assertThat(in).as("model-card.yaml of carebus-model-sepsis-risk on the test class path").isNotNull();
            card = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        assertThat(card.path("id").asText()).isEqualTo("sepsis-risk");
        Map<String, String> cardUnits = new java.util.HashMap<>();
        for (JsonNode input : card.path("inputs").path("tabular")) {
            cardUnits.put(input.path("code").asText(), input.path("unit").asText());
        }
        for (Feature f : Feature.values()) {
            assertThat(cardUnits).as("card input for %s", f).containsEntry("http://loinc.org|" + f.loinc(), f.ucum());
        }
        // Every card input except age (the engine derives it from the birth date) is synthesized.
        cardUnits.remove("http://loinc.org|30525-0");
        assertThat(cardUnits).hasSize(Feature.values().length);
        // ... and rendered as such in OBX-3 / OBX-6.
        ClinicalEvent vitals = events(ClinicalEvent.Kind.VITALS).get(0);
        ClinicalEvent labs = events(ClinicalEvent.Kind.LABS).get(0);
        for (ClinicalEvent e : List.of(vitals, labs)) {
            for (OBX obx : obxs((ORU_R01) hapi.getPipeParser().parse(renderer.render(e, Fixtures.patient())))) {
                String code = "http://loinc.org|" + obx.getObservationIdentifier().getIdentifier().getValue();
                assertThat(cardUnits).containsEntry(code, obx.getUnits().getIdentifier().getValue());
            }
        }
    }

    @Test
    void delimitersInNamesAreEscaped() throws Exception {
        DemoPatient odd = new DemoPatient("M|1", "O^Brien&Co", "Ann~Marie", null, "female", null, null);
        ClinicalEvent admit = events(ClinicalEvent.Kind.ADMIT).get(0);
        ADT_A01 adt = (ADT_A01) hapi.getPipeParser().parse(renderer.render(admit, odd));
        assertThat(adt.getPID().getPatientIdentifierList(0).getIDNumber().getValue()).isEqualTo("M|1");
        assertThat(adt.getPID().getPatientName(0).getFamilyName().getSurname().getValue()).isEqualTo("O^Brien&Co");
        assertThat(adt.getPID().getPatientName(0).getGivenName().getValue()).isEqualTo("Ann~Marie");
    }

    private static List<OBX> obxs(ORU_R01 oru) throws Exception {
        List<OBX> out = new java.util.ArrayList<>();
        for (ORU_R01_ORDER_OBSERVATION order : oru.getPATIENT_RESULT().getORDER_OBSERVATIONAll()) {
            for (var obs : order.getOBSERVATIONAll()) {
                out.add(obs.getOBX());
            }
        }
        return out;
    }

    private static Map<Feature, BigDecimal> observed(ORU_R01 oru) throws Exception {
        Map<Feature, BigDecimal> values = new EnumMap<>(Feature.class);
        for (OBX obx : obxs(oru)) {
            String loinc = obx.getObservationIdentifier().getIdentifier().getValue();
            Feature f = java.util.Arrays.stream(Feature.values()).filter(x -> x.loinc().equals(loinc)).findFirst().orElseThrow();
            values.put(f, new BigDecimal(obx.getObservationValue(0).getData().encode()));
        }
        return values;
    }
}
