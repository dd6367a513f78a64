package io.carebus.deid.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.carebus.deid.PseudonymDomain;
import io.carebus.store.StoreDatabases;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.Resource;

/** Prints messages/s for HL7v2 and Bundles/s for FHIR, de-identified and parsed+encoded only, and their ratios. */
public final class DeidBench {

    private DeidBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args.length > 0 ? args[0] : "10");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("carebus-deid-bench");
        DeidService deid = new DeidService(new PseudonymDomain("k1", secret, 365),
                new Vault(StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 2), "k1",
                        Map.of("k1", secret), Clock.systemUTC()), Set.of(), dir);
        HapiContext hapi = new DefaultHapiContext(ValidationContextFactory.noValidation());
        FhirContext fhir = FhirContext.forR4Cached();
        String bundle;
        try (InputStream in = DeidBench.class.getResourceAsStream("/synthea-patient.json.gz")) {
            bundle = new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
        }

        double hl7 = rate(seconds, i -> {
            try {
                deid.deidentifyHl7(oru(i % 50), "safe-harbor", "bench");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double hl7Floor = rate(seconds, i -> {
            try {
                hapi.getPipeParser().encode(hapi.getPipeParser().parse(oru(i % 50)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double fhirRate = rate(seconds, i -> deid.deidentifyFhir((Resource) fhir.newJsonParser().parseResource(bundle), "bench"));
        double fhirFloor = rate(seconds, i -> fhir.newJsonParser().encodeResourceToString(fhir.newJsonParser().parseResource(bundle)));
        byte[] ct = ct512();
        double dicomRate = rate(seconds, i -> deid.deidentify("application/dicom", ct, null, "bench"));
        double dicomFloor = rate(seconds, i -> {
            try {
                com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
                list.setDecompressPixelData(false);
                list.read(new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(ct)));
                list.write(new java.io.ByteArrayOutputStream(ct.length), "1.2.840.10008.1.2.1", true, true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        System.out.printf("one core, Safe Harbor profile, vault on H2 (50 patients for HL7v2, each seen many times, one %d kB Synthea Bundle for FHIR)%n",
                bundle.length() / 1024);
        System.out.printf("HL7v2 ORU^R01: de-identified %8.0f msg/s   HAPI parse+encode only %8.0f msg/s   ratio %.2f%n", hl7, hl7Floor,
                hl7 / hl7Floor);
        System.out.printf("FHIR Bundle:   de-identified %8.1f /s      HAPI parse+encode only %8.1f /s      ratio %.2f%n", fhirRate, fhirFloor,
                fhirRate / fhirFloor);
        System.out.printf("DICOM CT 512x512x16 (%d kB), PS3.15 Annex E: de-identified %8.1f /s   PixelMed read+write only %8.1f /s   ratio %.2f%n",
                ct.length / 1024, dicomRate, dicomFloor, dicomRate / dicomFloor);
    }

    /** One synthetic CT instance (512x512, 16 bit) of one patient, as the DICOM gateway would keep it. */
    private static byte[] ct512() throws Exception {
        io.carebus.dicom.testing.TestImages.Spec spec = io.carebus.dicom.testing.TestImages.Spec.ct(io.carebus.dicom.testing.TestImages.uid(),
                io.carebus.dicom.testing.TestImages.uid(), 512, (x, y) -> (x * 3 + y) & 0x0FFF);
        Path file = Files.createTempFile("carebus-deid-bench", ".dcm");
        io.carebus.dicom.testing.TestImages.write(spec, file);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private static double rate(int seconds, IntConsumer work) {
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        int i = 0;
        while (System.nanoTime() < warmEnd) {
            work.accept(i++);
        }
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        int n = 0;
        while (System.nanoTime() < end) {
            work.accept(n++);
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static String oru(int patient) {
        String mrn = "MRN" + (100000 + patient);
        return String.join("\r",
                "MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|20261127120000||ORU^R01^ORU_R01|C" + patient + "|P|2.5.1",
                "PID|1||" + mrn + "^^^GENHOSP^MR||Doe" + patient + "^Jane||19700304|F|||1 Main St^^Boston^MA^02139||555-010-" + patient,
                "ORC|RE|O" + patient + "|F" + patient,
                "OBR|1|O" + patient + "|F" + patient + "|2951-2^Sodium^LN|||20261127113000",
                "OBX|1|NM|2951-2^Sodium^LN||140|mmol/L|||||F|||20261127113000",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L|||||F|||20261127113000",
                "OBX|3|TX|11526-1^Comment^LN||Specimen of Doe" + patient + ", Jane, " + mrn + " received||||||F",
                "NTE|1||Called 555-010-" + patient + " to report to Jane Doe" + patient);
    }
}
