package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamGeneratorTest {

    @Test
    void aSeedGivesTheSameStreamsValueForValue() throws Exception {
        List<ClinicalEvent> a = StreamGenerator.generate(20, Fixtures.spec(7));
        List<ClinicalEvent> b = StreamGenerator.generate(20, Fixtures.spec(7));
        assertThat(a).isEqualTo(b);
        Hl7Renderer hl7 = new Hl7Renderer("run1");
        DemoPatient p = Fixtures.patient();
        for (int i = 0; i < a.size(); i++) {
            assertThat(hl7.render(a.get(i), p)).isEqualTo(hl7.render(b.get(i), p));
        }
    }

    @Test
    void anotherSeedGivesOtherValues() {
        assertThat(StreamGenerator.generate(20, Fixtures.spec(7))).isNotEqualTo(StreamGenerator.generate(20, Fixtures.spec(8)));
    }

    @Test
    void eachPatientIsAdmittedThenMeasuredEveryFiveMinutesWithLabsHourly() {
        StreamGenerator.Spec spec = Fixtures.spec(7);
        List<ClinicalEvent> events = StreamGenerator.forPatient(3, false, spec);
        assertThat(events.get(0).kind()).isEqualTo(ClinicalEvent.Kind.ADMIT);
        List<ClinicalEvent> vitals = events.stream().filter(e -> e.kind() == ClinicalEvent.Kind.VITALS).toList();
        List<ClinicalEvent> labs = events.stream().filter(e -> e.kind() == ClinicalEvent.Kind.LABS).toList();
        assertThat(vitals).hasSize(36);
        assertThat(labs).extracting(ClinicalEvent::step).containsExactly(0, 12, 24);
        for (int i = 1; i < vitals.size(); i++) {
            assertThat(Duration.between(vitals.get(i - 1).time(), vitals.get(i).time())).isEqualTo(Duration.ofMinutes(5));
        }
        assertThat(events.get(0).time()).isBefore(vitals.get(0).time());
        assertThat(vitals.get(0).time()).isAfterOrEqualTo(spec.start()).isBefore(spec.start().plus(spec.stepLength()));
        assertThat(vitals).allSatisfy(v -> assertThat(v.values().keySet())
                .containsExactly(Feature.HEART_RATE, Feature.RESP_RATE, Feature.TEMPERATURE, Feature.SYSTOLIC_BP));
        assertThat(labs).allSatisfy(l -> assertThat(l.values().keySet()).containsExactly(Feature.WBC, Feature.LACTATE));
    }

    @Test
    void exactlyTheSeededShareDeterioratesTowardsSepsisAndTheOthersStayStable() {
        StreamGenerator.Spec spec = Fixtures.spec(11);
        boolean[] deteriorating = StreamGenerator.deteriorating(20, spec);
        int count = 0;
        for (int p = 0; p < 20; p++) {
            count += deteriorating[p] ? 1 : 0;
            List<ClinicalEvent> events = StreamGenerator.forPatient(p, deteriorating[p], spec);
            ClinicalEvent lastVitals = events.stream().filter(e -> e.kind() == ClinicalEvent.Kind.VITALS).reduce((x, y) -> y).orElseThrow();
            ClinicalEvent lastLabs = events.stream().filter(e -> e.kind() == ClinicalEvent.Kind.LABS).reduce((x, y) -> y).orElseThrow();
            double hr = lastVitals.values().get(Feature.HEART_RATE).doubleValue();
            double sbp = lastVitals.values().get(Feature.SYSTOLIC_BP).doubleValue();
            double lactate = lastLabs.values().get(Feature.LACTATE).doubleValue();
            if (deteriorating[p]) {
                // At the end (onset in the first half, full within an hour) the patient looks septic.
                assertThat(hr).as("patient %d heart rate", p).isGreaterThan(105);
                assertThat(sbp).as("patient %d systolic", p).isLessThan(110);
                assertThat(lactate).as("patient %d lactate", p).isGreaterThan(3.0);
                assertThat(lastVitals.values().get(Feature.TEMPERATURE).doubleValue()).isGreaterThan(38.3);
            } else {
                assertThat(hr).as("patient %d heart rate", p).isLessThan(110);
                assertThat(lactate).as("patient %d lactate", p).isLessThan(2.0);
            }
        }
        assertThat(count).isEqualTo(6);
    }

    @Test
    void valuesStayInTheirPlausibleRangeWithDevicePrecision() {
        for (ClinicalEvent e : StreamGenerator.generate(50, Fixtures.spec(3))) {
            for (var v : e.values().entrySet()) {
                assertThat(v.getValue().doubleValue()).isBetween(v.getKey().min(), v.getKey().max());
                assertThat(v.getValue().scale()).isEqualTo(v.getKey() == Feature.TEMPERATURE || v.getKey() == Feature.WBC
                        || v.getKey() == Feature.LACTATE ? 1 : 0);
            }
        }
        assertThat(Feature.HEART_RATE.reported(500)).isEqualTo(new BigDecimal("190"));
    }
}
