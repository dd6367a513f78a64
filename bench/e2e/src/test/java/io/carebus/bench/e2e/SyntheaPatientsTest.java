package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheaPatientsTest {

    @Test
    void readsThePatientOfEachBundleAndSkipsHospitalFiles() throws Exception {
        List<DemoPatient> patients = SyntheaPatients.load(Path.of(getClass().getResource("/synthea").toURI()), "MRN-");
        assertThat(patients).containsExactly(
                new DemoPatient("MRN-0", "Testperson", "Ada", LocalDate.of(1951, 3, 14), "female", "Springfield", "Massachusetts"));
    }

    @Test
    void cyclesASmallPoolUnderDistinctMrns() throws Exception {
        List<DemoPatient> five = Feed.cycle(List.of(Fixtures.patient()), 5, "B-");
        assertThat(five).extracting(DemoPatient::mrn).containsExactly("B-0", "B-1", "B-2", "B-3", "B-4");
        assertThat(five).extracting(DemoPatient::family).containsOnly("Testperson");
    }
}
