package io.carebus.deid;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.deid.PatientIdentifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreeTextDetectorTest {

    private final PseudonymDomain domain = new PseudonymDomain("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII), 30);
    private final FreeTextDetector detector = new FreeTextDetector(domain, FreeTextDetector.Options.defaults());
    private final PatientIdentifier patient = new PatientIdentifier("urn:oid:1.2.3", "MRN42");
    private final FreeTextDetector.Subject subject = new FreeTextDetector.Subject(patient, 10, Set.of());

    private String redact(String text) {
        return detector.redact(text, subject);
    }

    @Test
    void theIssuesDischargeSummaryLosesTheAddressTheDaughtersNameAndThePhone() {
        String out = redact("He lives at 22 Old Mill Road with his daughter Emiko (319-555-0190).");
        assertThat(out).isEqualTo("He lives at [ADDRESS] with his daughter [NAME] ([PHONE]).");
    }

    @Test
    void phonesInTheirCommonSpellings() {
        for (String phone : List.of("319-555-0190", "(319) 555-0190", "319.555.0190", "319 555 0190", "+1 319 555 0190",
                "+1-319-555-0190", "1-319-555-0190", "3195550190", "+44 20 7946 0958", "0044 20 7946 0958", "555-0190",
                "(319)555-0190", "+49 (30) 901820")) {
            String out = redact("Call " + phone + " today.");
            assertThat(out).as(phone).isEqualTo("Call [PHONE] today.");
        }
        assertThat(redact("Fax: 319-555-0191 ext. 23 please")).isEqualTo("Fax: [PHONE] please");
        assertThat(redact("cell 319-555-0191 x23")).isEqualTo("cell [PHONE]");
    }

    @Test
    void mailWebAddressesAndNumbers() {
        assertThat(redact("write to emiko.tanaka@example.com, or see https://portal.example.org/p?id=7."))
                .isEqualTo("write to [EMAIL], or see [URL].");
        assertThat(redact("from 10.20.30.40 and fe80::1ff:fe23:4567:890a")).isEqualTo("from [IP] and [IP]");
        assertThat(redact("SSN 123-45-6789.")).isEqualTo("SSN [SSN].");
        assertThat(redact("MRN: 00123456, acct # 77-123-9, DL A1234567")).isEqualTo("MRN: [ID], acct # [ID], DL [ID]");
    }

    @Test
    void datesMoveByTheShiftAndKeepTheirSpelling() {
        assertThat(redact("seen 03/14/2026 and 2026-03-14, on March 14, 2026 and 14 Mar 2026, 3/14/26, 14th of March, March 2026"))
                .isEqualTo("seen 03/24/2026 and 2026-03-24, on March 24, 2026 and 24 Mar 2026, 3/24/26, 24th of March, March 2026");
        assertThat(redact("admitted on 12/28/2025")).isEqualTo("admitted on 01/07/2026");
        assertThat(new FreeTextDetector(domain, FreeTextDetector.Options.defaults()).redact("on 03/14/2026",
                FreeTextDetector.Subject.unknown())).isEqualTo("on [DATE]");
    }

    @Test
    void clinicalNumbersStay() {
        String note = "BP 120/80, HR 88, pain 5/10, Na 140, K 4.1, WBC 12.5, 500 mg BID, 2 tabs at 14:30, LOINC 2160-0, 85 year old";
        assertThat(redact(note)).isEqualTo(note);
    }

    @Test
    void agesOverEightyNineZipAndPeople() {
        assertThat(redact("A 92-year-old woman, aged 95, 93 yo")).isEqualTo("A 90+-year-old woman, aged 90+, 90+ yo");
        assertThat(redact("Springfield, IL 62704")).isEqualTo("Springfield, IL 627XX");
        assertThat(redact("Seen by Kwame. Dr. Osei and Mrs Whitfield; Jane Roe, MD signed.")).isEqualTo(
                "Seen by [NAME]. Dr. [NAME] and Mrs [NAME]; [NAME], MD signed.");
        assertThat(redact("daughter Emiko Tanaka called; Emiko will visit.")).isEqualTo("daughter [NAME] called; [NAME] will visit.");
        FreeTextDetector.Subject known = new FreeTextDetector.Subject(patient, 10, FreeTextDetector.nameWords(List.of("Lopez^Maria")));
        assertThat(detector.redact("Maria Lopez and Maria Elena Lopez", known)).isEqualTo("[NAME] and [NAME]");
    }

    @Test
    void spelledOutAddressesParticlesAndPeopleSpokenTo() {
        assertThat(redact("Called Ama back; write to emiko at gmail dot com.")).isEqualTo("Called [NAME] back; write to [EMAIL].");
        assertThat(redact("Attending: Dr. van der Berg. Mr. St. Clair is stable.")).isEqualTo("Attending: Dr. [NAME]. Mr. [NAME] is stable.");
        assertThat(redact("A ninety-two-year-old; MR. Spoke with Cardiology; Ht 172 cm, Wt 81 kg"))
                .isEqualTo("A 90+-year-old; MR. Spoke with Cardiology; Ht 172 cm, Wt 81 kg");
        assertThat(redact("Moved to 12 Old Mill last spring; lives on Cedar Ridge Rd now."))
                .isEqualTo("Moved to [ADDRESS] last spring; lives on [ADDRESS] now.");
    }

    @Test
    void aProfileChoosesSurrogates() throws Exception {
        java.util.Properties lines = new java.util.Properties();
        lines.setProperty("OBX-5", "scrub-text");
        lines.setProperty("freetext.replacement", "surrogates");
        String msg = "MSH|^~\\&|A|B|C|D|20261127||ORU^R01^ORU_R01|1|P|2.5\rPID|1||77^^^HOSP^MR||Old^Person\r"
                + "OBX|1|TX|1^Note^L||daughter Emiko, 319-555-0190||||||F";
        String out = new Hl7Deidentifier(domain).deidentify(msg, Hl7Profile.of("site", lines), List.of()).message();
        assertThat(out).doesNotContain("Emiko").doesNotContain("0190").doesNotContain("[NAME]").contains("daughter ").contains("555-01");
    }

    @Test
    void surrogatesAreKeyedAndConsistent() {
        FreeTextDetector surrogates = detector.with(FreeTextDetector.Options.defaults().with(Map.of("freetext.replacement", "surrogates")));
        String out = surrogates.redact("daughter Emiko called 319-555-0190; Emiko again", subject);
        assertThat(out).doesNotContain("Emiko").doesNotContain("319-555-0190");
        String stand = out.substring("daughter ".length(), out.indexOf(' ', "daughter ".length()));
        assertThat(out).endsWith("; " + stand + " again");
    }

    @Test
    void textBeyondTheCapIsReplacedWhole() {
        FreeTextDetector capped = detector.with(new FreeTextDetector.Options(true, FreeTextDetector.Replacement.TAGS, 100));
        String out = capped.redact("word ".repeat(30) + "319-555-0190", subject);
        assertThat(out).endsWith(FreeTextDetector.TRUNCATED).doesNotContain("0190").hasSizeLessThan(120);
    }
}
