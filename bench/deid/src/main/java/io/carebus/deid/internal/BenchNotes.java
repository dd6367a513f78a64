package io.carebus.deid.internal;

import java.util.Random;

/** Notes of about 2 KB (sentences with and without PHI) and the ORU^R01 that carries two of them, for the benchmarks. */
final class BenchNotes {

    private BenchNotes() {
    }

    private static final String[] SENTENCES = {
        "He lives at 22 Old Mill Road with his daughter Emiko (319-555-0190).",
        "Seen by Dr. Osei on 03/14/2026; BP 132/84, HR 88, Na 139, K 4.2, Cr 1.1.",
        "Mrs Whitfield reports pain 4/10 after ambulating 50 feet with a walker.",
        "Metformin 500 mg PO BID, lisinopril 10 mg daily, atorvastatin 40 mg at bedtime.",
        "Discussed with son Kwame by phone at +1 319 555 0142; he agrees with the plan.",
        "Chest X-ray on March 3, 2026 showed bibasilar atelectasis, no pneumothorax.",
        "Follow up in clinic in 2 weeks; MRN 00884422; call 319.555.0177 ext. 23 with questions.",
        "Lungs clear bilaterally, abdomen soft, non-tender. No edema. Wound clean and dry.",
        "E-mail results to emiko.t@example.com or see https://portal.example.org/p/7731.",
        "A 92-year-old woman, aged 92, with CHF and CKD stage 3, EF 35-40%, on apixaban 5 mg BID."};

    /** A note of about {@code size} characters, sentences with and without PHI. */
    static String note(Random random, int size) {
        StringBuilder s = new StringBuilder(size + 128);
        while (s.length() < size) {
            s.append(SENTENCES[random.nextInt(SENTENCES.length)]).append(' ');
        }
        return s.substring(0, size).strip();
    }

    static String oru(int patient, String note1, String note2) {
        return String.join("\r",
                "MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|20261127120000||ORU^R01^ORU_R01|C" + patient + "|P|2.5.1",
                "PID|1||MRN" + (100000 + patient) + "^^^GENHOSP^MR||Whitfield" + patient + "^Jane||19700304|F|||1 Main St^^Boston^MA^02139",
                "ORC|RE|O" + patient + "|F" + patient,
                "OBR|1|O" + patient + "|F" + patient + "|11506-3^Progress note^LN|||20261127113000",
                "OBX|1|NM|2951-2^Sodium^LN||140|mmol/L|||||F|||20261127113000",
                "OBX|2|NM|2823-3^Potassium^LN||4.1|mmol/L|||||F|||20261127113000",
                "OBX|3|TX|11506-3^Progress note^LN||" + note1 + "||||||F",
                "OBX|4|TX|18842-5^Discharge summary^LN||" + note2 + "||||||F");
    }
}
