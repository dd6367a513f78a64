package io.carebus.deid.internal.text;

import java.util.Set;

/**
 * The cue words the recognizers look for, lower-cased. No lists of people's names: names are found by what stands
 * around them (a title, a relative, a role, a credential) and by the names the structured fields already gave.
 */
final class Lexicon {

    private Lexicon() {
    }

    static final Set<String> TITLES = Set.of("dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sr", "rev",
            "pastor", "sister", "nurse", "mister", "madam", "dra", "herr", "frau", "sra", "sgt", "capt", "officer");

    static final Set<String> KIN = Set.of("dtr", "dau", "husb", "sis", "bro", "daughter", "son", "wife", "husband", "mother", "father", "mom", "mum", "dad", "sister",
            "brother", "niece", "nephew", "aunt", "uncle", "grandson", "granddaughter", "grandmother", "grandfather", "grandma",
            "grandpa", "granny", "cousin", "partner", "spouse", "fiance", "fiancé", "fiancee", "fiancée", "girlfriend", "boyfriend",
            "friend", "neighbor", "neighbour", "caregiver", "carer", "guardian", "roommate", "stepson", "stepdaughter", "stepmother",
            "stepfather", "son-in-law", "daughter-in-law", "mother-in-law", "father-in-law", "brother-in-law", "sister-in-law",
            "sibling", "child", "grandchild", "godmother", "godfather", "twin", "proxy", "poa", "hcp", "landlord", "employer",
            "coworker", "co-worker", "sponsor", "companion", "widow", "widower", "ex-wife", "ex-husband", "stepbrother", "stepsister",
            "granddad", "nana", "papa", "mama");

    /** Words that, followed by a name, say who acted: "seen by Kwame", "PCP: Jane Roe", "Dear Dr. ...". */
    static final Set<String> ROLES = Set.of("attending", "resident", "fellow", "intern", "surgeon", "physician", "provider", "pcp",
            "therapist", "pharmacist", "dietitian", "dietician", "chaplain", "clinician", "consultant", "radiologist", "hospitalist",
            "cardiologist", "oncologist", "neurologist", "nephrologist", "midwife", "dear", "sincerely", "regards", "cc", "patient",
            "pt", "name", "signed", "contact", "interpreter", "translator", "technologist", "tech", "author", "dictated", "transcribed",
            "coordinator", "manager", "worker", "aide", "paramedic", "emt", "counselor", "counsellor", "psychologist", "psychiatrist",
            "pediatrician", "obstetrician", "anesthesiologist", "anaesthetist", "registrar", "gp", "sw", "cm", "np", "rn", "lpn",
            "receptionist", "scribe", "student", "preceptor", "supervisor", "to", "from", "attn", "re", "thanks", "thank", "by",
            "cosigner", "cosigned", "witness", "witnessed", "requester", "requested", "ordering", "referring", "admitting",
            "discharging", "covering", "primary", "reading", "performing", "verified", "approved", "surgeons", "assistant");

    /** Verbs before "by"/"with"/"to"/"per" that make the next capitalised words a person. */
    static final Set<String> ACTS = Set.of("seen", "examined", "evaluated", "dictated", "transcribed", "signed", "reviewed",
            "authored", "referred", "accompanied", "visited", "called", "brought", "cosigned", "co-signed", "attended", "performed",
            "read", "interpreted", "approved", "verified", "discussed", "spoke", "spoken", "talked", "met", "consulted", "explained",
            "followed", "managed", "treated", "assessed", "admitted", "discharged", "escorted", "driven", "picked", "cared", "lives",
            "living", "stays", "staying", "resides", "married", "messaged", "phoned", "texted", "emailed", "informed", "notified",
            "contacted", "updated", "counseled", "counselled", "reported", "relayed", "confirmed", "supervised", "covered", "per",
            "wrote", "written", "done", "completed", "obtained", "given", "provided", "prepared", "sent", "faxed", "ordered",
            "requested", "consent", "consented", "agreed", "told", "speaking", "talking", "meeting", "call", "seeing", "saw",
            "asked", "involving", "interview", "interviewed", "handed", "left", "conversation", "discussion", "visit", "signed-out",
            "care", "time", "assistance", "help", "son", "daughter");

    static final Set<String> ACT_LINKS = Set.of("by", "with", "to", "per", "from", "and", "via", "for");

    /** After a name: a credential that says the words before it were a person ("Kwame Osei, MD"). */
    static final Set<String> CREDENTIALS = Set.of("md", "do", "rn", "np", "pa", "pa-c", "phd", "mbbs", "mbchb", "facp", "facs", "lpn",
            "cna", "lcsw", "msw", "pharmd", "dpt", "otr", "crna", "dds", "dmd", "fnp", "fnp-c", "aprn", "msn", "bsn", "rd", "rrt", "od",
            "cnm", "lmft", "psyd", "mph", "frcp", "frcs", "mrcp", "bc", "acnp", "dnp", "ccc-slp", "slp", "ot", "pt", "pta", "cota",
            "atc", "emt", "ma", "cma", "ms", "msc", "bsc", "mba", "esq");

    static final Set<String> MONTHS_FULL = Set.of("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december");

    static final Set<String> STREET_SUFFIXES = Set.of("street", "st", "road", "rd", "avenue", "ave", "av", "lane", "ln", "drive",
            "dr", "court", "ct", "boulevard", "blvd", "way", "place", "pl", "terrace", "ter", "terr", "circle", "cir", "highway", "hwy",
            "parkway", "pkwy", "square", "sq", "trail", "trl", "crescent", "cres", "close", "row", "path", "pike", "alley", "aly",
            "loop", "run", "walk", "crossing", "xing", "point", "pt", "ridge", "heights", "hts", "view", "gardens", "grove", "hill",
            "hollow", "park", "plaza", "commons", "bend", "turnpike", "tpke", "expressway", "expy", "freeway", "fwy", "route", "rte",
            "mews", "green", "glen", "landing", "meadow", "meadows", "estates", "cove", "knoll", "vale", "pass", "junction");

    /** Suffixes that also are everyday words: a street without a house number needs a stronger one. */
    static final Set<String> STRONG_SUFFIXES = Set.of("street", "road", "avenue", "ave", "lane", "boulevard", "blvd", "drive",
            "terrace", "parkway", "highway", "rd", "ln", "pkwy", "hwy", "court", "crescent");

    static final Set<String> UNITS = Set.of("apt", "apartment", "unit", "suite", "ste", "rm", "room", "fl", "floor", "bldg",
            "building", "lot", "box", "flat", "no");

    static final Set<String> DIRECTIONS = Set.of("n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west",
            "northeast", "northwest", "southeast", "southwest");

    /** USPS state and territory codes: the part of an address Safe Harbor keeps, and a ZIP code's left neighbour. */
    static final Set<String> STATES = Set.of("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
            "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
            "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP");

    /** Words before a digit-rich token that make it a record, account, licence or other identifier number. */
    static final Set<String> ID_CUES = Set.of("mrn", "mr", "mr#", "record", "records", "chart", "acct", "account", "acc", "id",
            "identifier", "number", "no", "nr", "num", "#", "licence", "license", "lic", "dl", "dln", "policy", "member",
            "subscriber", "insurance", "medicaid", "medicare", "mbi", "npi", "dea", "certificate", "cert", "plate", "vin", "serial",
            "device", "beneficiary", "encounter", "visit", "fin", "csn", "har", "accession", "acc#", "specimen", "case", "claim",
            "passport", "badge", "employee", "group", "ssn", "ss", "social", "security", "tax", "tin", "ein", "hicn", "pid", "uid",
            "file", "ref", "reference", "registration", "reg", "order", "requisition", "req", "barcode", "tracking", "confirmation",
            "authorization", "auth", "control", "enrollee", "contract", "health", "plan", "card", "bed", "unit", "pager", "ext",
            "mpi", "empi", "urn", "hcn", "nhs", "phn", "ohip", "study", "trial", "subject", "participant", "enrollment");

    /** Words before a number that make it a telephone or fax number. */
    static final Set<String> PHONE_CUES = Set.of("phone", "ph", "tel", "telephone", "cell", "mobile", "mob", "fax", "pager", "beeper",
            "call", "called", "text", "contact", "number", "reached", "reach", "home", "work", "office", "callback", "line", "hotline",
            "voicemail", "vm", "whatsapp", "at", "c", "h", "w", "m", "p", "f", "t");

    static final Set<String> DATE_CUES = Set.of("on", "since", "from", "until", "till", "through", "thru", "dated", "date", "dos",
            "doa", "dod", "dob", "admitted", "discharged", "seen", "of", "by", "before", "after", "between", "and", "to", "starting",
            "started", "effective", "born", "last", "next", "due", "expires", "expired", "scheduled", "surgery", "procedure", "visit",
            "appointment", "appt", "f/u", "fu", "follow-up", "followup", "edd", "lmp", "onset", "as");

    /** Capitalised words that are not people, whatever stands before them (sentence starts, pronouns, function words). */
    static final Set<String> HARD_STOP = Set.of("the", "a", "an", "he", "she", "they", "we", "i", "you", "it", "his", "her", "their", "our", "my", "your",
            "its", "him", "them", "us", "me", "this", "that", "these", "those", "is", "was", "were", "are", "be", "been",
            "has", "have", "had", "will", "would", "should", "could", "can", "may", "might", "must", "shall", "did",
            "does", "do", "at", "in", "on", "and", "or", "to", "from", "with", "who", "which", "what", "when", "where",
            "why", "how", "for", "of", "by", "as", "if", "but", "not", "no", "yes", "all", "any", "some", "each", "both",
            "either", "neither", "per", "via", "also", "then", "there", "here", "after", "before", "about", "over",
            "under", "up", "down", "out", "into", "onto", "upon", "so", "too", "very", "just", "only", "still", "again",
            "already", "today", "tomorrow", "yesterday", "tonight", "now", "later", "please", "thanks", "thank", "note",
            "notes", "none", "unknown", "n/a", "na", "nil", "other", "same", "patient", "pt", "patients", "family",
            "mother", "father", "daughter", "son", "wife", "husband", "sister", "brother", "team", "staff", "nursing",
            "nurse", "doctor", "physician", "provider", "md", "rn", "name", "dr", "mr", "mrs", "ms", "miss", "home",
            "reports", "reported", "states", "stated", "denies", "denied", "presents", "presented", "arrived", "came",
            "called", "re", "see", "seen", "plan", "assessment", "impression", "history", "exam", "findings",
            "comparison", "technique", "indication", "signed", "dictated", "cc", "dear", "sincerely", "regards",
            "attending", "resident", "primary", "regarding", "given", "requests", "request", "agreed", "agrees", "aware",
            "present", "bedside", "phone", "telephone", "whom", "whose", "while", "because", "although", "though",
            "until", "since", "during", "without", "within", "never", "always", "often", "usually", "she's", "he's",
            "they're", "mom", "dad", "everyone", "someone", "nobody", "anyone", "pcp", "er", "ed", "icu", "ccu", "pacu",
            "ot", "slp", "sw", "cm", "np", "pa", "tel", "fax");

    /** Capitalised words that are rarely people: departments, places in a hospital, clinical words, days, months. */
    static final Set<String> SOFT_STOP = Set.of("cardiology", "neurology", "oncology", "radiology", "surgery", "emergency", "medicine", "internal",
            "general", "family", "pediatrics", "paediatrics", "orthopedics", "orthopaedics", "urology", "nephrology",
            "gastroenterology", "gi", "pulmonology", "pulmonary", "psychiatry", "psychology", "dermatology",
            "ophthalmology", "ent", "obstetrics", "gynecology", "ob", "gyn", "obgyn", "ob/gyn", "anesthesia",
            "anaesthesia", "pathology", "hematology", "haematology", "endocrinology", "rheumatology", "infectious",
            "disease", "diseases", "critical", "care", "intensive", "palliative", "hospice", "rehab", "rehabilitation",
            "physical", "occupational", "speech", "therapy", "social", "work", "services", "service", "case",
            "management", "nutrition", "pharmacy", "lab", "laboratory", "clinic", "clinics", "hospital", "center",
            "centre", "department", "dept", "unit", "ward", "floor", "room", "bay", "bed", "wing", "tower", "building",
            "campus", "medical", "health", "healthcare", "memorial", "university", "regional", "community", "county",
            "state", "city", "saint", "st", "mount", "mt", "valley", "children's", "women's", "veterans", "va", "vamc",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
            "thu", "thur", "thurs", "fri", "sat", "sun", "january", "february", "march", "april", "may", "june", "july",
            "august", "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
            "sep", "sept", "oct", "nov", "dec", "ct", "mri", "mr", "xr", "us", "pet", "ecg", "ekg", "echo", "cxr",
            "chest", "abdomen", "head", "brain", "spine", "pelvis", "left", "right", "bilateral", "normal", "abnormal",
            "negative", "positive", "stable", "improved", "unchanged", "new", "acute", "chronic", "mild", "moderate",
            "severe", "no", "none", "clear", "history", "hx", "dx", "tx", "rx", "sx", "fx", "diagnosis", "diagnoses",
            "medications", "medication", "meds", "allergies", "allergy", "nkda", "vitals", "vital", "signs", "labs",
            "results", "result", "impression", "findings", "recommendation", "recommendations", "plan", "follow",
            "follow-up", "discharge", "admission", "admit", "transfer", "consult", "consultation", "referral", "report",
            "summary", "progress", "note", "procedure", "operative", "op", "post", "pre", "postop", "preop", "course",
            "condition", "disposition", "instructions", "activity", "diet", "wound", "pain", "fever", "cough", "covid",
            "covid-19", "influenza", "flu", "diabetes", "hypertension", "copd", "chf", "cad", "ckd", "afib", "mi", "cva",
            "tia", "dvt", "pe", "uti", "aki", "sepsis", "pneumonia", "asthma", "cancer", "tylenol", "advil", "motrin",
            "aspirin", "lasix", "coumadin", "warfarin", "heparin", "insulin", "metformin", "lisinopril", "atorvastatin",
            "amoxicillin", "vancomycin", "zosyn", "ceftriaxone", "prednisone", "albuterol", "oxycodone", "morphine",
            "dilaudid", "zofran", "protonix", "eliquis", "xarelto", "plavix", "norco", "percocet", "keflex", "augmentin",
            "medicare", "medicaid", "blue", "cross", "shield", "aetna", "cigna", "humana", "kaiser", "united",
            "insurance", "english", "spanish", "french", "chinese", "mandarin", "cantonese", "vietnamese", "korean",
            "japanese", "arabic", "russian", "portuguese", "hindi", "tagalog", "somali", "amharic", "american",
            "african", "asian", "hispanic", "latino", "latina", "white", "black", "caucasian", "catholic", "christian",
            "jewish", "muslim", "baptist", "methodist", "lutheran", "orthodox", "protestant", "buddhist", "hindu",
            "jehovah's", "witness", "mychart", "epic", "cerner", "carebus", "zoom", "teams", "facetime", "skype",
            "google", "microsoft", "apple", "android", "iphone", "gmail", "yahoo", "hotmail", "outlook", "email",
            "e-mail", "text", "portal", "pager", "cell", "mobile", "office", "home", "contact", "address", "phone",
            "fax", "id", "mrn", "dob", "ssn", "age", "sex", "gender", "male", "female", "race", "ethnicity", "language",
            "religion", "marital", "married", "single", "divorced", "widowed", "separated", "status", "code", "full",
            "dnr", "dni", "polst", "molst", "advance", "directive", "poa", "hcp", "proxy", "guardian", "surrogate",
            "decision", "maker", "next", "kin", "nok", "primary", "secondary", "date", "time", "am", "pm", "hours",
            "hrs", "days", "weeks", "months", "years", "yrs", "today", "tomorrow", "chief", "complaint", "hpi", "ros",
            "pmh", "psh", "fh", "sh", "examination", "heent", "neck", "cardiovascular", "respiratory",
            "gastrointestinal", "genitourinary", "musculoskeletal", "neurologic", "neurological", "psychiatric", "skin",
            "extremities", "lungs", "heart", "abd", "neuro", "psych", "cv", "resp", "ext", "gu", "msk", "reason", "exam",
            "study", "technique", "contrast", "comparison", "indication", "clinical", "information", "conclusion",
            "addendum", "attestation", "electronically", "signed", "reviewed", "verified", "dictated", "transcribed",
            "final", "preliminary", "amended", "corrected", "subject", "re", "to", "from", "cc", "bcc", "attn",
            "enclosure", "enclosures", "yours", "truly", "faithfully", "sincerely", "regards", "best", "kind", "warm",
            "respectfully", "thank", "thanks", "dear", "colleague", "colleagues", "sir", "madam", "whom", "concern",
            "hello", "hi", "referring", "physician", "ordering", "provider", "attending", "resident", "fellow", "intern",
            "student", "consultant", "surgeon", "nurse", "practitioner", "assistant", "therapist", "pharmacist",
            "dietitian", "chaplain", "interpreter", "coordinator", "manager", "worker", "aide", "tech", "technologist",
            "radiologist", "hospitalist", "team", "md", "do", "rn", "np", "pa", "pa-c", "phd", "lpn", "cna", "lcsw",
            "msw", "pharmd", "dpt", "crna", "bsn", "msn", "aprn", "fnp", "usa", "u.s.", "america", "states", "north",
            "south", "east", "west", "old", "great", "little", "big", "good", "bad", "well", "ill", "sick", "alert",
            "oriented", "awake", "asleep", "calm", "anxious", "agitated", "confused", "lethargic", "cooperative",
            "pleasant", "comfortable", "afebrile", "ambulating", "tolerating", "voiding", "resting", "sleeping",
            "eating", "denies", "reports", "endorses", "complains", "notes", "per", "ok", "okay", "yes", "ii", "iii",
            "iv", "jr", "sr");
}
