package io.carebus.deid.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Synthetic clinical notes with PHI inserted from Synthea-like identities, every PHI span recorded (start, end,
 * category). Discharge summaries, nursing notes, radiology reports and referral letters, each in several styles (headed
 * sections, narrative prose, terse nursing shorthand, all-capitals headers, letters). Values come in the spellings
 * people write: phones with and without country codes, brackets, dots, extensions; dates numeric and with month names,
 * ordinals, two-digit years, month-year; addresses with and without units, on one line or as a letter's block; IDs
 * after many cue words. Clinical numbers (vitals, labs, doses, scores, codes, times, room numbers, years alone) are
 * there as distractors. Deterministic: the same seed gives the same corpus byte for byte.
 *
 * <p>Run {@code main(out.jsonl.gz)} to regenerate the committed corpus; every 5th note (index % 5 == 4) is the test
 * split (20%), never looked at while writing the detector's rules.
 */
public final class NoteCorpusGenerator {

    public static final long SEED = 20261205L;
    public static final int COUNT = 2400;

    public record Span(int start, int end, String category) {
    }

    public record Note(int id, String kind, String style, String split, String patientName, String text, List<Span> spans) {
    }

    // Synthea draws names from census lists; these are a varied, multicultural sample of the same kind.
    private static final String[] GIVEN = {"Emiko", "Kwame", "Maria", "John", "Aisha", "Dmitri", "Priya", "Chen", "Fatima", "Liam",
        "Olivia", "Santiago", "Nguyen", "Oluwaseun", "Ingrid", "Mateo", "Sofia", "Hiroshi", "Amara", "Rajesh", "Gwendolyn", "Tomasz",
        "Leilani", "Xochitl", "Bartholomew", "Yusuf", "Margarethe", "Siobhan", "Kofi", "Anjali", "Beatriz", "Harold", "Eleanor",
        "Wei", "Mohammed", "Svetlana", "Thandiwe", "Catalina", "Declan", "Esperanza", "Jamal", "Keiko", "Lars", "Nadia", "Oren",
        "Parisa", "Quentin", "Rosalind", "Tariq", "Ulrike", "Valentina", "Winston", "Yara", "Zoltan", "Agnes", "Bongani", "Colm",
        "Dolores", "Efua", "Florin", "Grace", "Hamza", "Isabel", "Joaquin", "Kateryna", "Lucia", "Malik", "Noemi", "Otis", "Pilar"};
    private static final String[] FAMILY = {"Tanaka", "Osei", "Whitfield", "Lopez", "Okafor", "Ivanova", "Patel", "Zhang", "Haddad",
        "O'Brien", "McAllister", "Nguyen", "Adeyemi", "Lindqvist", "Garcia-Lopez", "Yamamoto", "Mensah", "Kowalski", "Kealoha",
        "Hernandez", "Thornbury", "Abdullah", "Schreiber", "Gallagher", "Boateng", "Sharma", "Carvalho", "Pemberton", "Ashworth",
        "Wu", "Rahman", "Petrov", "Dlamini", "Rojas", "Fitzgerald", "Villanueva", "Washington", "Sato", "Eriksson", "Haidari",
        "Feldman", "Morrison", "Quiroga", "Rasmussen", "Takahashi", "Underwood", "Valdez", "Wojcik", "Xiong", "Yilmaz", "Zamora",
        "van der Berg", "DeLuca", "MacKenzie", "Okonkwo", "St. Clair", "Baptiste", "Castellano", "Drummond", "Esposito"};
    private static final String[] STREET_NAMES = {"Old Mill", "Maple", "Cedar Ridge", "Lakeview", "Washington", "5th", "Elm",
        "Sunset", "Hawthorne", "Kingsley", "Willow Creek", "Main", "Pine", "Oak Hollow", "Martin Luther King Jr", "Prospect",
        "Harbor View", "Chestnut", "Quail Run", "Birch", "Riverside", "Magnolia", "1st", "42nd", "Juniper", "Highland"};
    private static final String[] SUFFIXES = {"Road", "Rd", "Street", "St", "Avenue", "Ave", "Lane", "Ln", "Drive", "Dr",
        "Court", "Ct", "Boulevard", "Blvd", "Way", "Place", "Terrace", "Circle", "Parkway"};
    private static final String[][] CITIES = {{"Springfield", "IL", "627"}, {"Cedar Rapids", "IA", "524"}, {"Boston", "MA", "021"},
        {"Tucson", "AZ", "857"}, {"Burlington", "VT", "054"}, {"Portland", "ME", "041"}, {"Bangor", "ME", "044"},
        {"Eugene", "OR", "974"}, {"Madison", "WI", "537"}, {"Asheville", "NC", "288"}, {"Laramie", "WY", "820"},
        {"Fargo", "ND", "581"}, {"Santa Fe", "NM", "875"}, {"Duluth", "MN", "558"}, {"Reno", "NV", "895"},
        {"Chattanooga", "TN", "374"}, {"Salem", "OR", "973"}, {"Hanover", "NH", "037"}, {"Berlin", "NH", "035"}};
    private static final String[] KIN = {"daughter", "son", "wife", "husband", "mother", "father", "sister", "brother", "niece",
        "nephew", "granddaughter", "grandson", "partner", "friend", "neighbor", "son-in-law", "daughter-in-law", "caregiver", "aunt"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"};

    private final Random random;
    private StringBuilder text;
    private List<Span> spans;

    private NoteCorpusGenerator(long seed) {
        this.random = new Random(seed);
    }

    public static List<Note> generate(long seed, int count) {
        NoteCorpusGenerator g = new NoteCorpusGenerator(seed);
        List<Note> notes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            notes.add(g.note(i));
        }
        return notes;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/deid-corpus/notes.jsonl.gz");
        Files.createDirectories(out.getParent());
        write(generate(SEED, COUNT), Files.newOutputStream(out));
        System.out.println("wrote " + COUNT + " notes to " + out);
    }

    public static void write(List<Note> notes, OutputStream target) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (Writer w = new OutputStreamWriter(new GZIPOutputStream(target) {
            {
                def.setLevel(9);
            }
        }, StandardCharsets.UTF_8)) {
            for (Note n : notes) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", n.id());
                row.put("kind", n.kind());
                row.put("style", n.style());
                row.put("split", n.split());
                row.put("patientName", n.patientName());
                row.put("text", n.text());
                List<Map<String, Object>> spans = new ArrayList<>();
                for (Span s : n.spans()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("start", s.start());
                    m.put("end", s.end());
                    m.put("category", s.category());
                    spans.add(m);
                }
                row.put("spans", spans);
                w.write(json.writeValueAsString(row));
                w.write('\n');
            }
        }
    }

    // ------------------------------------------------------------------ a person, a place

    private record Person(String given, String family) {
        String full() {
            return given + " " + family;
        }
    }

    private Person person() {
        return new Person(pick(GIVEN), pick(FAMILY));
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private int between(int low, int high) {
        return low + random.nextInt(high - low + 1);
    }

    // ------------------------------------------------------------------ writing

    private void plain(String s) {
        text.append(s);
    }

    private void phi(String category, String value) {
        int start = text.length();
        text.append(value);
        spans.add(new Span(start, text.length(), category));
    }

    private void name(Person p, int form) {
        switch (form) {
            case 0 -> phi("NAME", p.given());
            case 1 -> phi("NAME", p.family());
            case 2 -> {
                phi("NAME", p.given());
                plain(" ");
                phi("NAME", p.family());
            }
            case 3 -> {
                phi("NAME", p.family().toUpperCase(Locale.ROOT));
                plain(", ");
                phi("NAME", p.given().toUpperCase(Locale.ROOT));
            }
            default -> {
                phi("NAME", p.given().substring(0, 1));
                plain(". ");
                phi("NAME", p.family());
            }
        }
    }

    private String digits(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        return s.toString();
    }

    private String phone() {
        String area = between(2, 9) + digits(2);
        String exchange = between(2, 9) + digits(2);
        String line = digits(4);
        return switch (random.nextInt(14)) {
            case 0 -> area + "-" + exchange + "-" + line;
            case 1 -> "(" + area + ") " + exchange + "-" + line;
            case 2 -> area + "." + exchange + "." + line;
            case 3 -> area + " " + exchange + " " + line;
            case 4 -> "+1 " + area + " " + exchange + " " + line;
            case 5 -> "+1-" + area + "-" + exchange + "-" + line;
            case 6 -> "1-" + area + "-" + exchange + "-" + line;
            case 7 -> area + exchange + line;
            case 8 -> "(" + area + ")" + exchange + "-" + line;
            case 9 -> area + "-" + exchange + "-" + line + " ext. " + digits(between(2, 4));
            case 10 -> "+44 20 " + digits(4) + " " + digits(4);
            case 11 -> exchange + "-" + line;
            case 12 -> "+49 30 " + digits(6);
            default -> area + "-" + exchange + "-" + line + " x" + digits(3);
        };
    }

    private String email(Person p) {
        String local = switch (random.nextInt(4)) {
            case 0 -> p.given().toLowerCase(Locale.ROOT) + "." + p.family().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
            case 1 -> p.given().substring(0, 1).toLowerCase(Locale.ROOT) + p.family().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "")
                    + digits(2);
            case 2 -> p.family().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "") + "_" + digits(3);
            default -> p.given().toLowerCase(Locale.ROOT) + "+" + "notes";
        };
        return local + "@" + new String[] {"gmail.com", "example.org", "yahoo.com", "mail.example.net", "outlook.com"}[random.nextInt(5)];
    }

    private String url() {
        return switch (random.nextInt(4)) {
            case 0 -> "https://mychart.example-health.org/patient/" + digits(7);
            case 1 -> "www." + pick(FAMILY).toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "") + "family.com";
            case 2 -> "http://portal.example.org/records?id=" + digits(6);
            default -> "https://www.gofundme.com/f/help-" + pick(GIVEN).toLowerCase(Locale.ROOT) + "-" + digits(3);
        };
    }

    private String ip() {
        return chance(80) ? between(10, 223) + "." + between(0, 255) + "." + between(0, 255) + "." + between(1, 254)
                : "2001:db8:" + Integer.toHexString(between(4096, 65535)) + "::" + Integer.toHexString(between(1, 4095));
    }

    private String ssn() {
        String a = String.format(Locale.ROOT, "%03d", between(100, 665));
        String b = digits(2);
        String c = digits(4);
        return switch (random.nextInt(3)) {
            case 0 -> a + "-" + b + "-" + c;
            case 1 -> a + " " + b + " " + c;
            default -> a + b + c;
        };
    }

    private LocalDate date() {
        return LocalDate.of(2018, 1, 1).plusDays(random.nextInt(365 * 8));
    }

    private String spell(LocalDate d) {
        String month = MONTHS[d.getMonthValue() - 1];
        return switch (random.nextInt(14)) {
            case 0 -> d.format(DateTimeFormatter.ofPattern("MM/dd/yyyy"));
            case 1 -> d.format(DateTimeFormatter.ofPattern("M/d/yyyy"));
            case 2 -> d.format(DateTimeFormatter.ISO_LOCAL_DATE);
            case 3 -> month + " " + d.getDayOfMonth() + ", " + d.getYear();
            case 4 -> month.substring(0, 3) + " " + d.getDayOfMonth() + " " + d.getYear();
            case 5 -> d.getDayOfMonth() + " " + month + " " + d.getYear();
            case 6 -> d.format(DateTimeFormatter.ofPattern("dd-MMM-yyyy", Locale.ENGLISH));
            case 7 -> d.format(DateTimeFormatter.ofPattern("M/d/yy"));
            case 8 -> month + " " + ordinal(d.getDayOfMonth());
            case 9 -> month.substring(0, 3) + ". " + d.getDayOfMonth() + ", " + d.getYear();
            case 10 -> month + " " + d.getYear();
            case 11 -> "the " + ordinal(d.getDayOfMonth()) + " of " + month;
            case 12 -> d.format(DateTimeFormatter.ofPattern("MM-dd-yyyy"));
            default -> d.format(DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH)).toUpperCase(Locale.ROOT);
        };
    }

    private static String ordinal(int day) {
        String suffix = day >= 11 && day <= 13 ? "th" : switch (day % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return day + suffix;
    }

    /** A date, its PHI span leaving out a leading "the " (not part of the date). */
    private void date(LocalDate d) {
        String s = spell(d);
        if (s.startsWith("the ")) {
            plain("the ");
            phi("DATE", s.substring(4));
        } else {
            phi("DATE", s);
        }
    }

    private void anyDate() {
        date(date());
    }

    /** A street line, maybe a unit; city, state and ZIP after it on the same line or the next. */
    private void address(boolean full, boolean block) {
        String street = between(1, 9999) + " " + pick(STREET_NAMES) + " " + pick(SUFFIXES);
        if (chance(25)) {
            street += pick(new String[] {", Apt " + between(1, 40) + (char) ('A' + random.nextInt(6)), " Unit " + between(1, 300),
                " #" + between(1, 99), ", Suite " + between(100, 900)});
        }
        phi("ADDRESS", street);
        if (full) {
            String[] city = CITIES[random.nextInt(CITIES.length)];
            plain(block ? "\n" : ", ");
            phi("ADDRESS", city[0]);
            plain(", " + city[1] + " ");
            phi("ZIP", city[2] + digits(2) + (chance(20) ? "-" + digits(4) : ""));
        }
    }

    private void oldAge() {
        int age = between(90, 104);
        switch (random.nextInt(6)) {
            case 0 -> {
                phi("AGE", Integer.toString(age));
                plain("-year-old");
            }
            case 1 -> {
                phi("AGE", Integer.toString(age));
                plain(" yo");
            }
            case 2 -> {
                plain("aged ");
                phi("AGE", Integer.toString(age));
            }
            case 3 -> {
                phi("AGE", Integer.toString(age));
                plain(" y/o");
            }
            case 4 -> {
                phi("AGE", Integer.toString(age));
                plain(" years old");
            }
            default -> {
                phi("AGE", Integer.toString(age));
                plain(" year old");
            }
        }
    }

    private void idAfterCue() {
        switch (random.nextInt(12)) {
            case 0 -> { plain("MRN: "); phi("ID", digits(8)); }
            case 1 -> { plain("MRN "); phi("ID", digits(7)); }
            case 2 -> { plain("Acct #: "); phi("ID", digits(2) + "-" + digits(3) + "-" + digits(1)); }
            case 3 -> { plain("account number "); phi("ID", "A" + digits(8)); }
            case 4 -> { plain("DL: "); phi("ID", "S" + digits(3) + "-" + digits(4) + "-" + digits(4)); }
            case 5 -> { plain("Medicaid ID "); phi("ID", digits(8) + "A"); }
            case 6 -> { plain("Record #"); phi("ID", digits(7)); }
            case 7 -> { plain("policy no. "); phi("ID", "XJH" + digits(9)); }
            case 8 -> { plain("license number "); phi("ID", digits(9)); }
            case 9 -> { plain("member ID: "); phi("ID", "W" + digits(9)); }
            case 10 -> { plain("encounter "); phi("ID", digits(10)); }
            default -> { plain("chart no. "); phi("ID", digits(6)); }
        }
    }

    // ------------------------------------------------------------------ clinical filler (not PHI)

    private String vitals() {
        return "BP " + between(95, 170) + "/" + between(55, 100) + ", HR " + between(52, 120) + ", RR " + between(12, 26) + ", T "
                + between(36, 39) + "." + between(0, 9) + " C, SpO2 " + between(88, 100) + "% on " + pick(new String[] {"RA", "2L NC", "room air"});
    }

    private String labs() {
        return "Na " + between(128, 146) + ", K " + between(3, 5) + "." + between(0, 9) + ", Cr " + between(0, 3) + "." + between(1, 9)
                + ", WBC " + between(3, 19) + "." + between(0, 9) + ", Hgb " + between(7, 16) + "." + between(0, 9) + ", lactate "
                + between(0, 4) + "." + between(0, 9);
    }

    private String med() {
        return pick(new String[] {"Metformin 500 mg PO BID", "Lisinopril 10 mg daily", "Atorvastatin 40 mg at bedtime",
            "Apixaban 5 mg twice daily", "Furosemide 40 mg IV x1", "Insulin glargine 18 units qHS", "Ceftriaxone 1 g IV q24h",
            "Tylenol 650 mg q6h PRN", "Albuterol 2 puffs q4h PRN", "Prednisone 40 mg for 5 days", "Coumadin 5 mg, INR 2.4"});
    }

    private String filler() {
        return pick(new String[] {
            "Pain 4/10, improved with acetaminophen.", "Ambulating with walker, fall precautions in place.",
            "No acute distress. Lungs clear bilaterally.", "Tolerating regular diet, voiding without difficulty.",
            "Wound dressing changed, site clean and dry.", "GCS 15, alert and oriented x3.", "Telemetry shows sinus rhythm, rate 78.",
            "Blood cultures x2 pending; lactate trending down.", "Chest X-ray in 2019 showed similar findings.",
            "Admitted to Room 412, bed 2.", "ICD-10 J18.9, LOINC 2160-0 ordered.", "Follow up in 2 weeks with Cardiology.",
            "Physical Therapy consulted for gait training.", "Received 2 units PRBC at 14:30 without reaction.",
            "Echo: EF 35-40%, mild MR.", "Smoked 1 ppd for 30 years, quit 10 years ago.", "Ht 172 cm, Wt 81.4 kg, BMI 27.5.",
            "Social Work to assist with discharge planning.", "Case discussed at Tumor Board.", "Code status: Full Code.",
            "A1c 8.2% three months ago.", "CT abdomen/pelvis with contrast, 5 mm slices.", "Dose 0.5 mg/kg, max 40 mg."});
    }

    // ------------------------------------------------------------------ notes

    private Note note(int id) {
        text = new StringBuilder();
        spans = new ArrayList<>();
        Person patient = person();
        String kind = new String[] {"discharge", "nursing", "radiology", "referral"}[id % 4];
        String style;
        switch (kind) {
            case "discharge" -> style = discharge(patient);
            case "nursing" -> style = nursing(patient);
            case "radiology" -> style = radiology(patient);
            default -> style = referral(patient);
        }
        if (chance(35)) {
            plain("\nAddendum: ");
            harder(patient);
        }
        return new Note(id, kind, style, id % 5 == 4 ? "test" : "train", patient.given() + " " + patient.family(), text.toString(),
                List.copyOf(spans));
    }

    private void relative(Person patient) {
        Person rel = new Person(pick(GIVEN), chance(60) ? patient.family() : pick(FAMILY));
        String kin = pick(KIN);
        switch (random.nextInt(7)) {
            case 0 -> { plain("Lives with " + pronoun() + " " + kin + " "); name(rel, chance(50) ? 0 : 2); plain(". "); }
            case 1 -> { plain("Spoke with " + kin + ", "); name(rel, 2); plain(", by phone at "); phi("PHONE", phone()); plain(". "); }
            case 2 -> { name(rel, 0); plain(" (" + kin + ") was present at bedside. "); }
            case 3 -> { plain("Emergency contact: "); name(rel, 2); plain(" (" + kin + "), "); phi("PHONE", phone()); plain(". "); }
            case 4 -> { plain("The patient's " + kin + " "); name(rel, 0); plain(" will provide transportation. "); }
            case 5 -> { plain(capital(kin) + " "); name(rel, 0); plain(" asked about home health; "); name(rel, 0); plain(" will call back. "); }
            default -> { name(rel, 2); plain(", " + pronoun() + " " + kin + ", is the health care proxy. "); }
        }
    }

    private String pronoun() {
        return pick(new String[] {"his", "her", "their"});
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private void clinician(boolean signature) {
        Person doc = person();
        if (signature) {
            switch (random.nextInt(5)) {
                case 0 -> { plain("Electronically signed by: "); name(doc, 2); plain(", MD on "); anyDate(); plain("\n"); }
                case 1 -> { plain("Dictated by "); name(doc, 2); plain(", " + pick(new String[] {"MD", "DO", "NP", "PA-C"}) + "\n"); }
                case 2 -> { plain("Attending: Dr. "); name(doc, 1); plain("\n"); }
                case 3 -> { plain("Sincerely,\n\n"); name(doc, 2); plain(", MD\n"); }
                default -> { plain("Signed: "); name(doc, 2); plain(" RN\n"); }
            }
            return;
        }
        switch (random.nextInt(6)) {
            case 0 -> { plain("Seen by "); name(doc, 0); plain(" from the hospitalist team. "); }
            case 1 -> { plain("Discussed with Dr. "); name(doc, 1); plain(", who agrees with the plan. "); }
            case 2 -> { plain("Case reviewed with "); name(doc, 2); plain(", " + pick(new String[] {"MD", "NP", "RN"}) + ". "); }
            case 3 -> { plain("PCP: Dr. "); name(doc, 4); plain(". "); }
            case 4 -> { plain("Evaluated by Dr "); name(doc, 2); plain(" in clinic. "); }
            default -> { plain("Per "); name(doc, 0); plain(", pharmacy adjusted the dose. "); }
        }
    }

    private void patientMention(Person p) {
        switch (random.nextInt(5)) {
            case 0 -> { plain(pick(new String[] {"Mr. ", "Ms. ", "Mrs ", "Mx. "})); name(p, 1); }
            case 1 -> name(p, 2);
            case 2 -> name(p, 0);
            case 3 -> { plain("patient "); name(p, 2); }
            default -> { plain(pick(new String[] {"Mr ", "Ms "})); name(p, 1); }
        }
    }


    /**
     * Spellings the detector's rules were not written from: names without a cue word, lower-case names in shorthand,
     * day-first and slashed-ISO dates, odd phone punctuation, streets without a suffix word, glued MRNs, spelled-out
     * ages, obfuscated e-mail. One of these goes into about a third of the notes.
     */
    private void harder(Person patient) {
        Person rel = person();
        switch (random.nextInt(16)) {
            case 0 -> { name(rel, 0); plain(" and "); name(person(), 0); plain(" visited this afternoon. "); }
            case 1 -> { plain("dtr "); phi("NAME", rel.given().toLowerCase(Locale.ROOT)); plain(" updated by phone. "); }
            case 2 -> { plain("Seen on "); LocalDate d = date(); phi("DATE", d.format(DateTimeFormatter.ofPattern("dd/MM/yyyy"))); plain(". "); }
            case 3 -> { plain("Scan dated "); phi("DATE", date().format(DateTimeFormatter.ofPattern("yyyy/MM/dd"))); plain(". "); }
            case 4 -> { plain("Phone "); String a = between(2, 9) + digits(2); phi("PHONE", "(" + a + ")-" + between(2, 9) + digits(2) + "-" + digits(4)); plain(". "); }
            case 5 -> { plain("Reach her at "); phi("PHONE", between(2, 9) + digits(2) + "/" + between(2, 9) + digits(2) + "-" + digits(4)); plain(". "); }
            case 6 -> { plain("Moved to "); phi("ADDRESS", between(1, 999) + " " + pick(STREET_NAMES)); plain(" last spring. "); }
            case 7 -> { plain("MRN"); phi("ID", digits(8)); plain(" on the wristband. "); }
            case 8 -> { plain("A "); phi("AGE", pick(new String[] {"ninety-two", "ninety-five", "ninety-one"})); plain("-year-old widow. "); }
            case 9 -> { plain("Email "); phi("EMAIL", rel.given().toLowerCase(Locale.ROOT) + " at gmail dot com"); plain(". "); }
            case 10 -> { name(rel, 2); plain(" brought her medications from home. "); }
            case 11 -> { plain("Called "); name(rel, 0); plain(" back, no answer. "); }
            case 12 -> { plain("Pt's wife "); phi("NAME", rel.given()); plain("-"); phi("NAME", pick(FAMILY).replaceAll("[^A-Za-z]", "")); plain(" at bedside. "); }
            case 13 -> { plain("Follow-up "); phi("DATE", date().format(DateTimeFormatter.ofPattern("d.M.yyyy"))); plain(". "); }
            case 14 -> { plain("Lives on "); phi("ADDRESS", pick(STREET_NAMES) + " " + pick(new String[] {"Rd", "St", "Ave"})); plain(" near the school. "); }
            default -> { plain("Age: "); phi("AGE", Integer.toString(between(90, 99))); plain(". "); }
        }
    }

    private String discharge(Person patient) {
        boolean headed = chance(50);
        if (headed) {
            plain("DISCHARGE SUMMARY\nPatient: ");
            name(patient, 3);
            plain("\n");
            idAfterCue();
            plain("\nDOB: ");
            date(LocalDate.of(between(1930, 2000), between(1, 12), between(1, 28)));
            plain("\nAdmission Date: ");
            anyDate();
            plain("\nDischarge Date: ");
            anyDate();
            plain("\n\nHOSPITAL COURSE:\n");
        } else {
            plain("Discharge summary. ");
        }
        if (chance(15)) {
            plain("This ");
            oldAge();
            plain(" " + pick(new String[] {"woman", "man", "patient"}) + " was admitted with pneumonia. ");
        } else {
            patientMention(patient);
            plain(" is a " + between(20, 89) + "-year-old " + pick(new String[] {"woman", "man"}) + " admitted on ");
            anyDate();
            plain(" with " + pick(new String[] {"community-acquired pneumonia", "CHF exacerbation", "sepsis from a urinary source",
                "a hip fracture", "DKA"}) + ". ");
        }
        plain(vitals() + ". " + labs() + ". " + filler() + " ");
        clinician(false);
        plain(filler() + " ");
        if (chance(70)) {
            relative(patient);
        }
        if (chance(50)) {
            plain("He lives at ");
            address(chance(50), false);
            plain(". ");
        }
        plain("\n\nDISCHARGE MEDICATIONS:\n" + med() + "\n" + med() + "\n\nFOLLOW-UP: ");
        plain(pick(new String[] {"Clinic visit on ", "Return on ", "Appointment ", "See PCP on "}));
        anyDate();
        plain(", call ");
        phi("PHONE", phone());
        plain(" with questions. ");
        if (chance(30)) {
            plain("Results on the portal: ");
            phi("URL", url());
            plain(". ");
        }
        if (chance(25)) {
            plain("Patient e-mail: ");
            phi("EMAIL", email(patient));
            plain(". ");
        }
        plain("\n");
        clinician(true);
        return headed ? "headed" : "prose";
    }

    private String nursing(Person patient) {
        boolean terse = chance(50);
        if (terse) {
            plain(pick(new String[] {"0700 ", "1900 ", "Shift note: ", "RN note "}));
            plain("pt " + pick(new String[] {"A&Ox3", "resting", "c/o pain 6/10", "OOB to chair"}) + ". " + vitals() + ". ");
            plain(pick(new String[] {"dtr ", "daughter ", "wife ", "son "}));
            Person rel = person();
            name(rel, 0);
            plain(" at bedside, updated. ");
            if (chance(50)) {
                plain("cell ");
                phi("PHONE", phone());
                plain(". ");
            }
            plain(filler() + " ");
            if (chance(30)) {
                plain("Fam requests call to ");
                phi("PHONE", phone());
                plain(". ");
            }
            if (chance(20)) {
                plain("SSN on file ");
                phi("SSN", ssn());
                plain(" verified. ");
            }
            if (chance(20)) {
                plain("Guest wifi device ");
                phi("IP", ip());
                plain(" flagged by IT. ");
            }
            plain("Plan: " + med() + ". ");
            if (chance(40)) {
                plain("Report given to ");
                name(person(), 0);
                plain(" RN. ");
            }
        } else {
            plain("Nursing progress note, ");
            anyDate();
            plain(".\n");
            patientMention(patient);
            plain(" " + pick(new String[] {"slept well overnight", "reported nausea after breakfast", "was anxious about discharge"}) + ". ");
            plain(filler() + " " + filler() + " ");
            relative(patient);
            if (chance(30)) {
                plain("Patient is ");
                oldAge();
                plain(" and hard of hearing. ");
            }
            if (chance(30)) {
                plain("Verified identity with two identifiers (name and ");
                idAfterCue();
                plain("). ");
            }
            if (chance(25)) {
                plain("Daughter set up a page at ");
                phi("URL", url());
                plain(" and can be reached at ");
                phi("EMAIL", email(person()));
                plain(". ");
            }
            clinician(false);
            plain("\n");
            clinician(true);
        }
        return terse ? "terse" : "narrative";
    }

    private String radiology(Person patient) {
        boolean caps = chance(40);
        if (caps) {
            plain("EXAM: CT CHEST WITH CONTRAST\nPATIENT: ");
            name(patient, 3);
            plain("    ");
            idAfterCue();
            plain("\nDATE OF SERVICE: ");
            anyDate();
            plain("\n");
        } else {
            plain("Exam: " + pick(new String[] {"MRI brain without contrast", "CT abdomen/pelvis", "Chest radiograph, 2 views",
                "Ultrasound right upper quadrant"}) + "\nDate: ");
            anyDate();
            plain("\n");
        }
        plain("CLINICAL INDICATION: " + pick(new String[] {"cough and fever", "abdominal pain", "headache, r/o bleed", "fall"}) + ". ");
        if (chance(20)) {
            oldAge();
            plain(" patient with dementia. ");
        }
        plain("\nCOMPARISON: ");
        if (chance(70)) {
            anyDate();
        } else {
            plain("None");
        }
        plain(".\nFINDINGS: " + pick(new String[] {"A 6 mm nodule in the right upper lobe (series 3, image 42).",
            "No acute intracranial hemorrhage. Ventricles normal in size.", "Gallbladder wall 4 mm, no stones.",
            "Bibasilar atelectasis. No pneumothorax."}) + " " + filler() + "\n");
        plain("IMPRESSION: " + pick(new String[] {"Findings discussed with ", "Critical result called to ", "Results communicated to "}));
        if (chance(50)) {
            plain("Dr. ");
            name(person(), 1);
        } else {
            name(person(), 2);
            plain(", NP");
        }
        plain(" at " + between(10, 23) + ":" + between(10, 59) + " on ");
        anyDate();
        plain(". ");
        if (chance(25)) {
            plain("Images pushed from workstation ");
            phi("IP", ip());
            plain(". ");
        }
        if (chance(25)) {
            plain("Reading room phone ");
            phi("PHONE", phone());
            plain(". ");
        }
        plain("\n");
        clinician(true);
        return caps ? "caps" : "mixed";
    }

    private String referral(Person patient) {
        Person doc = person();
        Person to = person();
        if (chance(60)) {
            name(doc, 2);
            plain(", MD\n");
            address(true, true);
            plain("\nTel ");
            phi("PHONE", phone());
            plain("  Fax: ");
            phi("PHONE", phone());
            plain("\n\n");
        }
        anyDate();
        plain("\n\nDear Dr. ");
        name(to, 1);
        plain(",\n\nThank you for seeing ");
        patientMention(patient);
        plain(", DOB ");
        date(LocalDate.of(between(1930, 2005), between(1, 12), between(1, 28)));
        plain(", ");
        idAfterCue();
        plain(", who lives at ");
        address(true, false);
        plain(". ");
        if (chance(30)) {
            plain("She is ");
            oldAge();
            plain(" but remains independent. ");
        }
        plain(pick(new String[] {"I am referring her for evaluation of ", "He is referred for ", "Please assess "}) + pick(new String[] {
            "atrial fibrillation", "a thyroid nodule", "worsening renal function", "memory loss"}) + ". " + labs() + ". ");
        relative(patient);
        if (chance(40)) {
            plain("The family can be reached at ");
            phi("PHONE", phone());
            plain(" or ");
            phi("EMAIL", email(patient));
            plain(". ");
        }
        if (chance(20)) {
            plain("Insurance: ");
            idAfterCue();
            plain(". ");
        }
        if (chance(15)) {
            plain("SSN ");
            phi("SSN", ssn());
            plain(". ");
        }
        plain("Current medications: " + med() + "; " + med() + ".\n\n");
        if (chance(50)) {
            plain("Sincerely,\n\n");
            name(doc, 2);
            plain(", MD\n");
        } else {
            plain("Kind regards,\n");
            plain("Dr. ");
            name(doc, 1);
            plain("\ncc: ");
            name(person(), 2);
            plain(", NP\n");
        }
        return "letter";
    }
}
