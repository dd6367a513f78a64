#!/usr/bin/env python3
"""Writes the real-world-style HL7v2 corpus for CareBus issue 23. Synthetic data only."""
import os, random, sys
random.seed(23)
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

FAMILY = ["Nguyen","Okafor","Schmidt","Garcia","Kowalski","O'Brien","Haddad","Lindqvist","Tanaka","Moreau","Rossi","Novak","Adeyemi","Fischer","Silva","Murphy","Dubois","Kim","Patel","Jansen"]
GIVEN_F = ["Anna","Maria","Fatima","Ingrid","Yuki","Chloe","Aisha","Elena","Grace","Zoe"]
GIVEN_M = ["Jonas","Carlos","Piotr","Liam","Omar","Kenji","Luca","Tomas","Samuel","Noah"]
STREETS = ["12 Elm St","400 Harbor Rd","7 Rue de la Paix","Hauptstr. 5","88 Maple Ave Apt 3B","1 Infirmary Way","23 Birch Ln","500 Oak Blvd"]
CITIES = [("Springfield","IL","62701","USA"),("Portland","OR","97205","USA"),("Boston","MA","02115","USA"),("Austin","TX","78701","USA"),("Toronto","ON","M5G 1X8","CAN"),("Madison","WI","53703","USA")]
DOCS = [("1234567890","Chen","Wei","","","Dr"),("2345678901","Ibrahim","Layla","M","","Dr"),("3456789012","Walsh","Patrick","J","MD",""),("4567890123","Sato","Hiro","","","Dr"),("5678901234","Berg","Karin","","PhD","")]
FAC = ["GENHOSP","STMARYS","NORTHCLINIC","UNIVMED","LAKESIDE"]
APPS = ["EPICADT","CERNER","MEDITECH","LABSYS","RADIS","PHARMNET","SCHEDPRO","ALLSCRIPTS","ATHENA","OPENEMR","MIRTH","VISTA"]

n_ctl = [1000]
def ctl():
    n_ctl[0] += 1
    return "MSG%06d" % n_ctl[0]

def ts(day=1, h=9, m=30, s=0, secs=True, y=2026, mo=11):
    return "%04d%02d%02d%02d%02d" % (y, mo, day, h, m) + ("%02d" % s if secs else "")

def msh(typ, ver, app=None, fac=None, extra18="", enh="", quirk_ts=None):
    app = app or random.choice(APPS); fac = fac or random.choice(FAC)
    t = quirk_ts or ts(random.randint(1,28), random.randint(0,23), random.randint(0,59), random.randint(0,59))
    f = ["MSH","^~\\&",app,fac,"CAREBUS",FAC[0],t,"",typ,ctl(),random.choice(["P","P","T","D"]),ver]
    if enh or extra18:
        f += ["", "", enh.split("|")[0] if enh else "", enh.split("|")[1] if enh else "", "", extra18]
    return "|".join(f)

def person(sex=None):
    sex = sex or random.choice("MF")
    given = random.choice(GIVEN_F if sex == "F" else GIVEN_M)
    return random.choice(FAMILY), given, sex

def dob():
    return "%04d%02d%02d" % (random.randint(1930, 2020), random.randint(1,12), random.randint(1,28))

def pid(ver, sex=None, mrn=None, quirks=(), name=None):
    fam, given, sex = person(sex)
    if name: fam, given = name
    mrn = mrn or "MRN%07d" % random.randint(1, 9999999)
    city = random.choice(CITIES)
    ident = mrn + "^^^" + random.choice(FAC) + "^MR"
    if "repeat-id" in quirks:
        ident += "~" + "%03d-%02d-%04d" % (random.randint(100,899), random.randint(10,99), random.randint(1000,9999)) + "^^^SSA^SS"
        ident += "~" + "H%08d" % random.randint(1, 99999999) + "^^^2.16.840.1.113883.19.5^ISO^PI"
    xpn = "%s^%s^%s^^^^L" % (fam, given, random.choice(["", "A", "Marie", "J"]))
    if "alias" in quirks:
        xpn += "~%s^%s^^^^^M" % (random.choice(FAMILY), given)
    addr = "%s^^%s^%s^%s^%s^H" % (random.choice(STREETS), city[0], city[1], city[2], city[3])
    if "repeat-addr" in quirks:
        addr += "~PO Box %d^^%s^%s^%s^%s^M" % (random.randint(1,999), city[0], city[1], city[2], city[3])
    phone = random.choice(["(555)555-%04d" % random.randint(0,9999), "^PRN^PH^^1^555^%07d" % random.randint(0,9999999),
                           "+44 20 7946 %04d" % random.randint(0,9999), "555.555.%04d" % random.randint(0,9999)])
    if ver >= "2.5" and "email" in quirks:
        phone += "~^NET^Internet^%s.%s@example.org" % (given.lower(), fam.lower().replace("'", ""))
    race = random.choice(["2106-3^White^HL70005", "2054-5^Black or African American^HL70005", "2028-9^Asian^HL70005", "", "W"])
    f = ["PID", "1", "", ident, "", xpn, "", dob(), sex, "", race, addr, "", phone, "", random.choice(["en^English^ISO639", "EN", "", "spa^Spanish^ISO639"]),
         random.choice(["M^Married^HL70002", "S", "", "W^Widowed"]), "", "ACC%08d" % random.randint(1, 99999999)]
    if "ssn" in quirks:
        f += ["%03d-%02d-%04d" % (random.randint(100,899), random.randint(10,99), random.randint(1000,9999))]
    if "deceased" in quirks:
        f += [""] * (29 - len(f)) + [ts(3, 4, 15), "Y"]
    return "|".join(f)

def pv1(ver, cls=None, quirks=()):
    cls = cls or random.choice(["I", "O", "E", "I"])
    doc = random.choice(DOCS)
    xcn = "%s^%s^%s^%s^%s^%s" % doc
    loc = random.choice(["ICU^101^A^GENHOSP", "4W^412^1^STMARYS", "ED^BAY3^^GENHOSP", "CLINIC2^^^NORTHCLINIC", "MED^220^B"])
    f = ["PV1", "1", cls, loc, random.choice(["R", "E", "U", ""]), "", "", xcn, xcn if random.random() < .5 else "", "",
         random.choice(["MED", "SUR", "CAR", "PED", ""]), "", "", "", "", "", "", "", "", "VN%08d^^^GENHOSP^VN", "", ""]
    f[19] = f[19] % random.randint(1, 99999999)
    f += [""] * (44 - len(f)) + [ts(1, 8, 0)]
    if "discharged" in quirks:
        f += [ts(4, 14, 30)]
    if "pv1-46-dtm" in quirks:
        while len(f) < 46: f.append("")
        f.append(ts(4, 14, 30) + "-0500")  # PV1-46 (NM: current patient balance) holding a timestamp
    return "|".join(f)

def evn(ev, ver):
    f = ["EVN", ev if ver < "2.7" else random.choice([ev, ""]), ts(random.randint(1,28), 10, 5)]
    if random.random() < 0.4:
        f += ["", "", "%s^%s^%s" % DOCS[random.randint(0, 4)][:3]]
    return "|".join(f)

def nk1():
    fam, given, sex = person()
    return "NK1|1|%s^%s|%s|%s^^%s^%s^%s|(555)555-%04d||EC^Emergency Contact^HL70131" % (
        fam, given, random.choice(["SPO^Spouse^HL70063", "MTH^Mother^HL70063", "CHD^Child^HL70063", "FND^Friend"]),
        random.choice(STREETS), *random.choice(CITIES)[:3], random.randint(0, 9999))

def al1(i):
    return "AL1|%d|%s|%s|%s|%s" % (i, random.choice(["DA^Drug allergy^HL70127", "FA", "EA^Environmental"]),
        random.choice(["70618^Penicillin^RXNORM", "1191^Aspirin^RXNORM", "91935009^Peanut^SCT", "^LATEX", "PCN^Penicillin^L"]),
        random.choice(["SV^Severe^HL70128", "MO", "MI", ""]), random.choice(["Hives", "Anaphylaxis", "Rash~Itching", ""]))

def dg1(i, ver):
    code = random.choice(["I10^Essential (primary) hypertension^I10", "E11.9^Type 2 diabetes mellitus without complications^I10",
                          "J18.9^Pneumonia, unspecified organism^I10", "38341003^Hypertensive disorder^SCT", "486^PNEUMONIA^I9"])
    return "DG1|%d|%s|%s|%s|%s|%s" % (i, "I10" if ver < "2.5" else "", code, code.split("^")[1] if ver < "2.5" else "", ts(2, 11, 0),
                                       random.choice(["A", "W", "F"]))

def pr1(i):
    return "PR1|%d|CPT|%s||%s|%s" % (i, random.choice(["44950^Appendectomy^C4", "0DTJ4ZZ^Resection of Appendix^I10P", "93000^ECG^C4"]),
                                     ts(2, 13, 15), random.choice(["A", "P", ""]))

def in1(i, quirks=()):
    exp = "20171007150405-0500" if "in1-13-tz" in quirks else "20271231"
    return "IN1|%d|PLAN%03d^Gold PPO|PAYER%02d^^^HOSP|%s|100 Insurance Way^^Hartford^CT^06103||(800)555-0100|GRP%05d||||20250101|%s||%s|%s^%s|SEL^Self^HL70063|%s" % (
        i, random.randint(1, 999), random.randint(1, 99), random.choice(["Acme Health", "Blue Shield", "Medicare", "Aetna"]),
        random.randint(1, 99999), exp, random.choice(["HMO", "PPO", ""]), random.choice(FAMILY), random.choice(GIVEN_F), dob())

def gt1():
    fam, given, sex = person()
    return "GT1|1|G%06d|%s^%s||%s^^%s^%s^%s|(555)555-%04d|||%s|%s" % (random.randint(1, 999999), fam, given, random.choice(STREETS),
                                                               *random.choice(CITIES)[:3], random.randint(0, 9999), dob(), sex)

def z(name):
    return "%s|%s|%s|%s" % (name, random.choice(["VIP", "N", "Y", ""]), random.choice(["custom^field^L", "42", ""]),
                            random.choice(["free text with \\F\\ escaped bar", "x~y~z", ""]))

def obx(i, ver, kind=None, quirks=()):
    kind = kind or random.choice(["NM", "NM", "ST", "CE", "TX", "SN", "DT"])
    t2 = kind
    if kind == "CE" and ver >= "2.6" and "obx2-ce-28" not in quirks:
        t2 = "CWE"
    if kind == "CWE" and ver < "2.5":
        t2 = "CE"
    v = {"NM": ("2345-7^Glucose^LN", str(random.choice([98, 142, 5.6, 0.9])), "mg/dL", "70-99", random.choice(["N", "H", ""])),
         "ST": ("8251-1^Service comment^LN", random.choice(["Specimen slightly hemolyzed", "See note \\T\\ comments", "Repeat in 2 wks"]), "", "", ""),
         "CE": ("600-7^Bacteria identified in Blood by Culture^LN", "3092008^Staphylococcus aureus^SCT", "", "", "A"),
         "CWE": ("882-1^ABO and Rh group^LN", "278149003^Blood group A Rh(D) positive^SCT", "", "", ""),
         "TX": ("18782-3^Radiology Study observation^LN", "No acute cardiopulmonary process.\\.br\\Heart size normal.", "", "", ""),
         "FT": ("11526-1^Pathology study^LN", "FINAL DIAGNOSIS:\\.br\\Benign fibroadipose tissue.\\.br\\No malignancy.", "", "", ""),
         "SN": ("2160-0^Creatinine^LN", random.choice(["<^0.5", ">^200", "^1^-^3", "^2^:^1"]), "mg/dL", "0.6-1.2", ""),
         "DT": ("8665-2^Last menstrual period start date^LN", "20261015", "", "", ""),
         "TS": ("8665-2^Date of last menstrual period^LN", "20261015083000", "", "", ""),
         "ED": ("18842-5^Discharge summary^LN", "^application^pdf^Base64^JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K", "", "", "")}[kind]
    if kind in ("TS",) and ver >= "2.5":
        t2 = "DTM"
    if "obx2-empty" in quirks:
        t2 = ""
    status = random.choice(["F", "F", "P", "C"])
    return "OBX|%d|%s|%s|%s|%s|%s|%s|%s|||%s|||%s" % (i, t2, v[0], "1" if random.random() < .3 else "", v[1], v[2], v[3], v[4], status,
                                                     ts(3, 7, random.randint(0, 59)))

def orc(ctl_, ver, quirks=()):
    doc = random.choice(DOCS)
    f = ["ORC", ctl_, "PLC%06d^CPOE" % random.randint(1, 999999), "FIL%06d^LAB" % random.randint(1, 999999), "", random.choice(["SC", "IP", "CM", ""]),
         "", "" if ver >= "2.5" else "^^^%s^^R" % ts(2, 8, 0), "", ts(2, 8, 0), "", "", "%s^%s^%s^%s^%s^%s" % doc[:6]]
    return "|".join(f)

def obr(i, ver, quirks=()):
    code = random.choice(["24331-1^Lipid panel^LN", "58410-2^CBC panel^LN", "24323-8^Comprehensive metabolic panel^LN",
                          "36643-5^XR Chest 2 Views^LN", "600-7^Blood culture^LN", "CBC^COMPLETE BLOOD COUNT^L"])
    doc = random.choice(DOCS)
    f = ["OBR", str(i), "PLC%06d^CPOE" % random.randint(1, 999999), "FIL%06d^LAB" % random.randint(1, 999999), code, random.choice(["R", "S", ""]),
         "", ts(2, 8, 0), "", "", "", "", "", "", ts(2, 8, 5) if ver < "2.7" else "", "", "%s^%s^%s" % doc[:3], "", "", "", "", "", ts(3, 9, 0),
         "", random.choice(["LAB", "RAD", "MB", "HM"]), random.choice(["F", "P", "C"])]
    if "obr-23-dtm" in quirks:
        f[23] = ts(3, 9, 0) + "+0000"
    if "obr-27" in quirks and ver < "2.7":
        f += ["", "1^^^%s^^R" % ts(2, 8, 0)]
    return "|".join(f)

def nte(i, text=None):
    return "NTE|%d|%s|%s" % (i, random.choice(["L", "P", ""]), text or random.choice(["Patient fasting 12h.", "Called to Dr. Walsh at 10:42 \\T\\ read back.", "Specimen received on ice~second line"]))

def spm(i, ver):
    return "SPM|%d|SPC%06d^LAB||%s|||||||||||||%s|%s" % (i, random.randint(1, 999999), random.choice(["BLD^Blood^HL70487", "UR^Urine^HL70487", "SER^Serum^HL70487"]),
                                                     ts(2, 7, 50), ts(2, 8, 20))

def tq1(ver, quirks=()):
    t = "11:30:05" if "tq1-4-colons" in quirks else "1130"
    return "TQ1|1||%s|%s|||%s|%s|%s" % ("BID^Twice a day^HL70335" if ver >= "2.6" else "BID", t, ts(2, 9, 0), ts(9, 9, 0), random.choice(["R", "S", "A"]))

def rxo():
    return "RXO|%s|%s||%s^%s^UCUM" % (random.choice(["197361^Amlodipine 5 MG Oral Tablet^RXNORM", "313782^Acetaminophen 325 MG Oral Tablet^RXNORM"]),
                                     random.choice(["5", "325"]), "mg", "milligram")

def rxe(ver):
    give = random.choice(["197361^Amlodipine 5 MG Oral Tablet^RXNORM", "310965^Ibuprofen 200 MG Oral Tablet^RXNORM", "1049630^Oxycodone 5 MG^RXNORM"])
    return "RXE|%s|%s|%s||mg^milligram^UCUM|TAB^Tablet^HL70292|||Y|30|TAB|2|RX%06d|||||||||%s" % (
        "^BID^^%s" % ts(2, 9, 0) if ver < "2.5" else "", give, random.choice(["5", "200", "10"]), random.randint(1, 999999), random.choice(["", "WALSH"]))

def rxr():
    return "RXR|%s|%s" % (random.choice(["PO^Oral^HL70162", "IV^Intravenous^HL70162", "SC"]), random.choice(["", "LA^Left arm^HL70163"]))

def rxc():
    return "RXC|B|%s|%s|mL" % (random.choice(["338036^Sodium Chloride 0.9%^RXNORM", "D5W^Dextrose 5%^L"]), random.choice(["1000", "250"]))

def rxd():
    return "RXD|1|197361^Amlodipine 5 MG Oral Tablet^RXNORM|%s|30|TAB^Tablet^HL70292||RX%06d|2" % (ts(3, 16, 0), random.randint(1, 999999))

def rxa(ver, vaccine=None, quirks=()):
    vac = vaccine or random.choice(["208^COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose^CVX", "141^Influenza, seasonal, injectable^CVX",
                                    "20^DTaP^CVX", "08^Hep B, adolescent or pediatric^CVX", "03^MMR^CVX"])
    admin = ts(random.randint(1, 28), 10, 15)
    f = ["RXA", "0", "1", admin, admin, vac, random.choice(["0.5", "0.3", "999"]), "mL^milliliters^UCUM" if ver >= "2.5" else "mL", "",
         random.choice(["00^New immunization record^NIP001", "01^Historical information - source unspecified^NIP001"]),
         "%s^%s^%s" % DOCS[random.randint(0, 4)][:3], "^^^%s" % random.choice(FAC), "", "", "", "LOT%05d" % random.randint(1, 99999),
         "20271231", random.choice(["PFR^Pfizer, Inc^MVX", "MSD^Merck and Co., Inc.^MVX", "SKB^GlaxoSmithKline^MVX"]), "", "", "CP", "A"]
    return "|".join(f)

def rxa_ras(ver):
    return "RXA|0|1|%s|%s|197361^Amlodipine 5 MG Oral Tablet^RXNORM|5|mg^milligram^UCUM||||||||||||||CP" % (ts(3, 9, 0), ts(3, 9, 5))

def sch(ver, quirks=()):
    if "sch-shift" in quirks:
        # a sender that left out one field: duration, units and timing all land one place to the right
        return "SCH|APT%05d|APT%05d||||||ROUTINE^Routine appointment^HL70276|NORMAL^Routine^HL70277|30|min|^^30^%s^%s|||||%s^%s" % (
            random.randint(1, 99999), random.randint(1, 99999), ts(10, 9, 0), ts(10, 9, 30), *DOCS[1][1:3])
    f = ["SCH", "APT%05d^SCHED" % random.randint(1, 99999), "FIL%05d^SCHED" % random.randint(1, 99999), "", "", "",
         random.choice(["ROUTINE^Routine appointment^HL70276", "FOLLOWUP^Follow-up^HL70276"]), "",
         random.choice(["CHECKUP^Check up^HL70277", "NORMAL"]), "", "", "", ""]
    if ver < "2.7":
        f[9] = "30"; f[10] = "min^minutes^ISO+"; f[11] = "^^30^%s^%s" % (ts(10, 9, 0), ts(10, 9, 30))
    f += ["", "", "", "%s^%s^%s" % DOCS[0][:3], "(555)555-0199", "", "", "%s^%s^%s" % DOCS[0][:3], "", "", "", "", random.choice(["Booked", "Pending", "Cancelled"])]
    return "|".join(f)

def tail_rgs(ver):
    out = ["RGS|1|A", "AIS|1|A|%s|%s|||30|min" % (random.choice(["99213^Office visit^CPT", "CONSULT^Consultation^L"]), ts(10, 9, 0))]
    if random.random() < .6:
        out.append("AIG|1|A|1^%s, %s|D^Doctor^HL70182" % (DOCS[2][1], DOCS[2][2]))
    out.append("AIL|1|A|CLINIC2^RM4^^NORTHCLINIC|EXAM^Exam room^L")
    out.append("AIP|1|A|%s^%s^%s|ATT^Attending^HL70443|||%s|||30|min" % (DOCS[3][0], DOCS[3][1], DOCS[3][2], ts(10, 9, 0)))
    return out

def txa(ver, ev, quirks=()):
    doc = random.choice(DOCS)
    status = {"T01": "AU", "T02": "AU", "T03": "IP", "T04": "IP", "T05": "LA", "T06": "LA", "T07": "AU", "T08": "AU", "T09": "AU", "T10": "AU", "T11": "CA"}.get(ev, "AU")
    f = ["TXA", "1", random.choice(["DS^Discharge summary^HL70270", "CN^Consultation^HL70270", "OP^Operative report^HL70270", "HP"]),
         random.choice(["TX", "FT", "AP"]), ts(5, 10, 0), "%s^%s^%s" % doc[:3], ts(5, 9, 0), ts(5, 11, 0), "", "", "%s^%s^%s" % doc[:3],
         "DOC%07d^EHR" % random.randint(1, 9999999), "", "", "", "", status, random.choice(["R", "U", "N", ""]), random.choice(["AV", "UN", ""]),
         "", "", "", "%s^%s^%s^^^^^^^^^^^^%s" % (doc[0], doc[1], doc[2], ts(5, 11, 30))]
    return "|".join(f)

def prb(ver, quirks=()):
    t = "2004062916580000" if "prb-2-16" in quirks else ts(1, 10, 0)
    return "PRB|AD|%s|%s|PRB%05d^EHR|||%s||||||%s" % (t, random.choice(["I10^Essential hypertension^I10", "44054006^Diabetes mellitus type 2^SCT", "J45.909^Asthma^I10"]),
                                                  random.randint(1, 99999), ts(1, 10, 0), random.choice(["A1^Active^L", "ACTIVE", ""]))

def goal():
    return "GOL|AD|%s|%s|GOL%04d^EHR" % (ts(1, 10, 0), random.choice(["BP^Blood pressure below 130/80^L", "A1C^HbA1c under 7%^L"]), random.randint(1, 9999))

def rf1(ver):
    return "RF1|A^Accepted^HL70283|%s|%s|%s||REF%06d^EHR|%s|%s" % (random.choice(["R^Routine", "S^STAT"]), random.choice(["MED^Medical^HL70282", "GRP^Group"]),
                                                                  random.choice(["RQ^Request for referral", "AA"]), random.randint(1, 999999), ts(6, 12, 0), ts(6, 12, 0))

def prd(role):
    d = random.choice(DOCS)
    return "PRD|%s|%s^%s^^^%s|1 Infirmary Way^^Boston^MA^02115|||%s^NPI" % (role, d[1], d[2], d[5], d[0])

def ft1(i, ver):
    return "FT1|%d|FT%06d||%s|%s|CG^Charge^HL70017|%s^%s^C4||1|||||||%s" % (i, random.randint(1, 999999), ts(2, 12, 0), ts(2, 12, 5),
                                                                    random.choice(["99213", "85025", "71046"]), random.choice(["Office visit", "CBC", "XR chest"]),
                                                                    random.choice(["%s^%s^%s" % DOCS[0][:3], ""]))

def acc():
    return "ACC|%s|MV^Motor vehicle^HL70050|Highway 9" % ts(1, 17, 45)

def iam():
    return "IAM|1|DA^Drug allergy^HL70127|70618^Penicillin^RXNORM|SV^Severe^HL70128|Anaphylaxis|A^Add^HL70323|IAM%05d" % random.randint(1, 99999)

files = []
def write(name, segs, line_end="\r", bom=False, enc="ascii"):
    text = line_end.join(segs) + line_end
    data = text.encode("utf-8" if enc == "utf-8" else "latin-1")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(data)
    files.append(name)

counter = {}
def fname(fam, ev, ver, tag=""):
    key = (fam, ev, ver, tag)
    counter[key] = counter.get(key, 0) + 1
    return "%s-%s-v%s%s%s.hl7" % (fam, ev.lower(), ver, "-" + tag if tag else "", "" if counter[key] == 1 else "-%d" % counter[key])

def le():
    return random.choice(["\r", "\r", "\r\n", "\n"])

VERS = ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.8"]

# ---------------- ADT ----------------
adt_events = [("A01", "ADT_A01"), ("A02", "ADT_A02"), ("A03", "ADT_A03"), ("A04", "ADT_A01"), ("A05", "ADT_A05"), ("A06", "ADT_A06"),
              ("A07", "ADT_A06"), ("A08", "ADT_A01"), ("A09", "ADT_A09"), ("A11", "ADT_A09"), ("A12", "ADT_A12"), ("A13", "ADT_A01"),
              ("A17", "ADT_A17"), ("A28", "ADT_A05"), ("A31", "ADT_A05"), ("A40", "ADT_A39"), ("A34", "ADT_A30"), ("A39", "ADT_A39"),
              ("A47", "ADT_A30"), ("A60", "ADT_A60"), ("A21", "ADT_A21"), ("A22", "ADT_A21"), ("A23", "ADT_A21"), ("A18", "ADT_A18"),
              ("A08", "ADT_A01"), ("A01", "ADT_A01"), ("A04", "ADT_A01"), ("A03", "ADT_A03")]
for i, (ev, st) in enumerate(adt_events):
    ver = VERS[i % len(VERS)]
    if ev == "A60" and ver < "2.5": ver = "2.5.1"
    if ev == "A47" and ver < "2.5": ver = "2.5"
    tag = ""
    typ = "ADT^%s^%s" % (ev, st) if ver >= "2.3.1" and i % 4 != 0 else "ADT^%s" % ev
    if ev == "A04" and i > 20:
        typ = "ADT^A04^ADT_A04"; tag = "own-structure"  # a structure name the standard does not have
    quirks = set()
    if i % 3 == 0: quirks.add("repeat-id")
    if i % 5 == 0: quirks.add("alias")
    if i % 4 == 1: quirks.add("repeat-addr")
    if i % 2 == 0: quirks.add("email")
    segs = [msh(typ, ver), evn(ev, ver)]
    if ev in ("A40", "A34", "A47", "A18", "A39"):
        segs += [pid(ver, quirks=quirks), "PD1|||%s^^%s" % (random.choice(FAC), random.randint(1, 999)),
                 "MRG|MRN%07d^^^GENHOSP^MR||ACC%07d" % (random.randint(1, 9999999), random.randint(1, 9999999))]
        if ev != "A47": segs.append(pv1(ver))
    elif ev == "A60":
        segs += [pid(ver, quirks=quirks), pv1(ver), iam(), iam().replace("IAM|1|", "IAM|2|")]
    elif ev == "A17":
        segs += [pid(ver), pv1(ver, "I"), pid(ver), pv1(ver, "I")]
    else:
        discharged = ev in ("A03",)
        q2 = set(quirks)
        if discharged: q2.add("discharged")
        if ev == "A03" and i > 20: q2.add("pv1-46-dtm"); tag = "pv1-46-dtm"
        if ev == "A31" : q2.add("deceased")
        segs += [pid(ver, quirks=q2)]
        if ver >= "2.4" and random.random() < .5:
            segs.append("PD1|||%s^^1234|%s^%s^%s" % (random.choice(FAC), *DOCS[0][:3]))
        segs += [nk1() for _ in range(random.randint(0, 2))]
        segs.append(pv1(ver, quirks=q2))
        if random.random() < .6:
            segs.append("PV2|||%s|||||%s" % (random.choice(["CHEST PAIN", "R07.9^Chest pain^I10", "FEVER"]), ts(5, 12, 0)))
        if ev in ("A01", "A04", "A05", "A08", "A28", "A31", "A13"):
            segs += [al1(k + 1) for k in range(random.randint(0, 2))]
            segs += [dg1(k + 1, ver) for k in range(random.randint(1, 2))]
            if random.random() < .5: segs.append(pr1(1))
            if random.random() < .5: segs.append(gt1())
            if random.random() < .7:
                segs.append(in1(1, {"in1-13-tz"} if i == 7 else ()))
                if i == 7: tag = "in1-13-tz"
                if random.random() < .4: segs.append("IN2|1|%03d-%02d-%04d" % (random.randint(100, 899), random.randint(10, 99), random.randint(1000, 9999)))
            if random.random() < .2: segs.append(acc())
    if i % 3 == 1: segs.append(z(random.choice(["ZPI", "ZPV", "ZEM", "ZIN"])))
    write(fname("adt", ev, ver, tag), segs, le(), bom=(i % 9 == 4))

# a UTF-8 message with a BOM and MSH-18, non-Latin names
segs = [msh("ADT^A08^ADT_A01", "2.5.1", extra18="UNICODE UTF-8"), evn("A08", "2.5.1"), pid("2.5.1", name=("Nguyễn", "Thị Hồng")), pv1("2.5.1")]
write(fname("adt", "A08", "2.5.1", "utf8-bom"), segs, "\r\n", bom=True, enc="utf-8")
segs = [msh("ADT^A01^ADT_A01", "2.4", extra18="8859/1"), evn("A01", "2.4"), pid("2.4", name=("Müller", "Zoë")), pv1("2.4")]
write(fname("adt", "A01", "2.4", "latin1"), segs, "\r", enc="latin-1")
# escapes everywhere, empty fields with "" (delete), trailing separators
segs = [msh("ADT^A08^ADT_A01", "2.3.1"), evn("A08", "2.3.1"), pid("2.3.1").replace("|1||", "|1|\"\"|", 1) + "|||||",
        "NK1|1|Smith \\T\\ Jones^Pat|FND^Friend|\"\"|", pv1("2.3.1") + "||||", "ZPD|\\F\\|\\S\\|\\R\\|\\E\\|\\X41\\|\\H\\bold\\N\\"]
write(fname("adt", "A08", "2.3.1", "escapes-nulls"), segs, "\r")

# ---------------- ORU ----------------
oru_v = ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.5.1", "2.6", "2.7", "2.8", "2.5.1", "2.4", "2.8", "2.3", "2.5.1"]
for i, ver in enumerate(oru_v):
    tag = ""
    quirks = set()
    if i == 4: quirks.add("obr-23-dtm"); tag = "obr-23-dtm"
    if i == 8: quirks.add("obx2-ce-28"); tag = "obx-ce-v28"
    if i == 11: quirks.add("obx2-ce-28"); tag = "obx-ce-v28"
    typ = "ORU^R01^ORU_R01" if ver >= "2.3.1" else "ORU^R01"
    segs = [msh(typ, ver), pid(ver, quirks={"repeat-id"} if i % 2 else set())]
    if i % 3 != 2: segs.append(pv1(ver, "O"))
    n_obr = 1 + (i % 3 == 0)
    for o in range(n_obr):
        if ver >= "2.3.1" and i % 2 == 0: segs.append(orc("RE", ver))
        segs.append(obr(o + 1, ver, quirks))
        if i % 4 == 1: segs.append(nte(1))
        kinds = random.sample(["NM", "NM", "ST", "CE", "SN", "TX", "DT", "FT", "TS"], 3)
        if "obx2-ce-28" in quirks: kinds[0] = "CE"
        for k, kind in enumerate(kinds):
            q = set(quirks)
            if i == 6 and k == 1: q.add("obx2-empty"); tag = "obx2-empty"
            segs.append(obx(k + 1, ver, kind, q))
            if random.random() < .3: segs.append(nte(1, "Result verified by second tech."))
        if ver >= "2.5" and i % 3 == 1: segs.append(spm(1, ver))
    if i % 5 == 0: segs.append("ZLR|critical^called^L|%s" % ts(3, 9, 0))
    write(fname("oru", "R01", ver, tag), segs, le(), bom=(i == 3))
# a CWE OBX-2 in a 2.3 message (CWE arrived in 2.5)
segs = [msh("ORU^R01", "2.3"), pid("2.3"), obr(1, "2.3"), "OBX|1|CWE|882-1^ABO and Rh group^LN||278149003^Blood group A Rh(D) positive^SCT||||||F"]
write(fname("oru", "R01", "2.3", "cwe-before-25"), segs, "\r")
# results with a base64 PDF (ED) and a long FT
segs = [msh("ORU^R01^ORU_R01", "2.5.1"), pid("2.5.1"), orc("RE", "2.5.1"), obr(1, "2.5.1"), obx(1, "2.5.1", "FT"), obx(2, "2.5.1", "ED")]
write(fname("oru", "R01", "2.5.1", "pdf"), segs, "\r")
for ver in ["2.5", "2.7"]:
    segs = [msh("ORU^R30^ORU_R30", ver), pid(ver), "PV1|1|O", orc("NW", ver), obr(1, ver), obx(1, ver, "NM"), obx(2, ver, "NM")]
    write(fname("oru", "R30", ver), segs, le())

# ---------------- OUL ----------------
for ev, st, ver in [("R21", "OUL_R21", "2.4"), ("R22", "OUL_R22", "2.5.1"), ("R23", "OUL_R23", "2.5.1"), ("R24", "OUL_R24", "2.6"), ("R22", "OUL_R22", "2.8")]:
    segs = [msh("OUL^%s^%s" % (ev, st), ver), pid(ver)]
    if ev == "R21":
        segs += ["PV1|1|O", orc("SC", ver), obr(1, ver), obx(1, ver, "NM"), obx(2, ver, "NM")]
    elif ev == "R22":
        segs += [spm(1, ver), obr(1, ver), orc("SC", ver), obx(1, ver, "NM"), obx(2, ver, "CE"), "NTE|1||Auto-verified"]
    elif ev == "R23":
        segs += [spm(1, ver), "SAC|CNT%05d||||||||||||||||||||||||||||" % random.randint(1, 99999), obr(1, ver), orc("SC", ver), obx(1, ver, "NM")]
    else:
        segs += [obr(1, ver), orc("SC", ver), spm(1, ver), obx(1, ver, "NM"), obx(2, ver, "ST")]
    write(fname("oul", ev, ver), segs, le())

# ---------------- ORM ----------------
for i, ver in enumerate(["2.3", "2.3.1", "2.4", "2.4", "2.5", "2.3"]):
    tag = ""
    typ = "ORM^O01^ORM_O01" if ver >= "2.3.1" else "ORM^O01"
    segs = [msh(typ, ver), pid(ver), pv1(ver, "O")]
    if i % 2: segs += [in1(1), gt1()]
    segs += [orc("NW", ver), obr(1, ver, {"obr-27"}), dg1(1, ver)]
    if i == 3: segs.append(nte(1, "Pt claustrophobic \\T\\ needs sedation"))
    if i == 5: segs += [orc("NW", ver), obr(2, ver), "ZOR|STAT|Y"]
    write(fname("orm", "O01", ver, tag), segs, le(), bom=(i == 2))

# ---------------- OML ----------------
for i, (ev, st, ver) in enumerate([("O21", "OML_O21", "2.5.1"), ("O21", "OML_O21", "2.4"), ("O21", "OML_O21", "2.6"), ("O21", "OML_O21", "2.5.1"),
                                    ("O33", "OML_O33", "2.5.1"), ("O33", "OML_O33", "2.7")]):
    tag = ""
    segs = [msh("OML^%s^%s" % (ev, st), ver), pid(ver), pv1(ver, "O")]
    if i == 0:
        segs.append(in1(1))
    if ev == "O33":
        segs += [spm(1, ver), orc("NW", ver), tq1(ver), obr(1, ver)]
    else:
        q = {"tq1-4-colons"} if i in (0, 3) else set()
        if q: tag = "tq1-4-colons"
        segs += [orc("NW", ver)]
        if ver >= "2.5": segs.append(tq1(ver, q))
        segs += [obr(1, ver), dg1(1, ver)]
        if ver >= "2.5": segs.append(spm(1, ver))
    write(fname("oml", ev, ver, tag), segs, le())

# ---------------- OMG ----------------
for i, ver in enumerate(["2.5.1", "2.6", "2.5"]):
    tag = "tq1-4-colons" if i == 1 else ""
    segs = [msh("OMG^O19^OMG_O19", ver), pid(ver), pv1(ver, "O"), orc("NW", ver), tq1(ver, {"tq1-4-colons"} if i == 1 else ()),
            obr(1, ver).replace("36643-5", "24627-2").replace("XR Chest 2 Views", "CT Chest"), nte(1, "Rule out PE"), dg1(1, ver)]
    write(fname("omg", "O19", ver, tag), segs, le())

# ---------------- RDE ----------------
for i, (ev, st, ver) in enumerate([("O11", "RDE_O11", "2.4"), ("O11", "RDE_O11", "2.5.1"), ("O11", "RDE_O11", "2.3.1"), ("O25", "RDE_O25", "2.6"),
                                    ("O25", "RDE_O25", "2.5.1"), ("O11", "RDE_O11", "2.7")]):
    tag = ""
    segs = [msh("RDE^%s^%s" % (ev, st), ver), pid(ver), pv1(ver), al1(1), orc("NW", ver)]
    if ver >= "2.5":
        q = {"tq1-4-colons"} if i == 4 else set()
        if q: tag = "tq1-4-colons"
        segs.append(tq1(ver, q))
    segs += [rxe(ver), rxr()]
    if i % 2: segs.append(rxc())
    if i == 2: segs.append("ZRX|formulary^Y|")
    write(fname("rde", ev, ver, tag), segs, le())

# ---------------- RDS ----------------
for ver in ["2.4", "2.5.1", "2.6"]:
    segs = [msh("RDS^O13^RDS_O13", ver), pid(ver), pv1(ver), orc("RE", ver)]
    if ver >= "2.5": segs.append(tq1(ver))
    segs += [rxe(ver), rxr(), rxd(), rxr()]
    write(fname("rds", "O13", ver), segs, le())

# ---------------- RAS ----------------
for ver in ["2.4", "2.5.1", "2.8"]:
    segs = [msh("RAS^O17^RAS_O17", ver), pid(ver), pv1(ver), orc("RE", ver)]
    if ver >= "2.5": segs.append(tq1(ver))
    segs += [rxe(ver), rxr(), rxa_ras(ver), rxr()]
    write(fname("ras", "O17", ver), segs, le())

# ---------------- VXU ----------------
for i, ver in enumerate(["2.3.1", "2.4", "2.5.1", "2.5.1", "2.5.1", "2.6", "2.8"]):
    tag = ""
    typ = "VXU^V04^VXU_V04" if ver >= "2.4" else "VXU^V04"
    segs = [msh(typ, ver), pid(ver, quirks={"repeat-id"}), "PD1|||||||||||02^Reminder/recall - any method^HL70215|N|%s|||A|%s|%s" % (ts(1, 0, 0)[:8], ts(1, 0, 0)[:8], ts(1, 0, 0)[:8]) if ver >= "2.5" else "PD1",
            nk1()]
    if ver >= "2.4": segs.append("PV1|1|R||||||||||||||||||V02^20260101")
    for k in range(1 + i % 3):
        segs += ["ORC|RE||IZ%06d^EHR" % random.randint(1, 999999), rxa(ver), rxr()]
        if ver >= "2.5":
            segs += ["OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V02^VFC eligible - Medicaid/Medicaid Managed Care^HL70064||||||F|||%s|||VXC40^Eligibility captured at the immunization level^CDCPHINVS" % ts(1, 10, 0),
                     "OBX|2|CE|30956-7^vaccine type^LN|2|107^DTaP, unspecified formulation^CVX||||||F",
                     "OBX|3|TS|29768-9^Date vaccine information statement published^LN|2|20070517||||||F",
                     "OBX|4|TS|29769-7^Date vaccine information statement presented^LN|2|%s||||||F" % ts(1, 10, 0)[:8]]
            if ver >= "2.6": segs = [s.replace("|CE|", "|CWE|").replace("|TS|", "|DTM|") for s in segs]
    if i == 6:
        segs = [s.replace("|CWE|64994-7", "|CE|64994-7") for s in segs]; tag = "obx-ce-v28"
    write(fname("vxu", "V04", ver, tag), segs, le(), bom=(i == 3))

# ---------------- MDM ----------------
mdm = [("T01", "MDM_T01", "2.3"), ("T02", "MDM_T02", "2.5.1"), ("T02", "MDM_T02", "2.4"), ("T03", "MDM_T01", "2.5"), ("T04", "MDM_T02", "2.6"),
       ("T05", "MDM_T01", "2.5.1"), ("T06", "MDM_T02", "2.3.1"), ("T07", "MDM_T01", "2.5.1"), ("T08", "MDM_T02", "2.7"), ("T09", "MDM_T01", "2.5.1"),
       ("T10", "MDM_T02", "2.8"), ("T11", "MDM_T01", "2.5"), ("T02", "MDM_T02", "2.5.1")]
for i, (ev, st, ver) in enumerate(mdm):
    tag = ""
    typ = "MDM^%s^%s" % (ev, st) if ver >= "2.3.1" else "MDM^%s" % ev
    segs = [msh(typ, ver), evn(ev, ver), pid(ver), pv1(ver)]
    if ver >= "2.5" and i % 2: segs.append(orc("RE", ver))
    segs.append(txa(ver, ev))
    if st == "MDM_T02":
        if i == 12:
            segs.append(obx(1, ver, "ED")); tag = "pdf"
        else:
            lines = ["DISCHARGE SUMMARY", "Admitted with community acquired pneumonia.", "Treated with ceftriaxone \\T\\ azithromycin.", "Discharged home in stable condition."]
            for k, l in enumerate(lines):
                segs.append("OBX|%d|%s|%s||%s||||||F" % (k + 1, "TX" if ver < "2.7" else "TX", "18842-5^Discharge summary^LN", l))
    write(fname("mdm", ev, ver, tag), segs, le())

# ---------------- SIU ----------------
siu = [("S12", "2.3.1"), ("S12", "2.4"), ("S12", "2.5"), ("S13", "2.5.1"), ("S14", "2.4"), ("S15", "2.5"), ("S17", "2.3"), ("S26", "2.5.1"),
       ("S12", "2.6"), ("S12", "2.5"), ("S14", "2.3.1"), ("S12", "2.8")]
for i, (ev, ver) in enumerate(siu):
    tag = ""
    q = set()
    if i in (2, 10): q.add("sch-shift"); tag = "sch-shift"
    typ = "SIU^%s^SIU_S12" % ev if ver >= "2.3.1" else "SIU^%s" % ev
    segs = [msh(typ, ver), sch(ver, q)]
    if i % 3 == 0: segs.append(nte(1, "Bring insurance card"))
    segs += [pid(ver), pv1(ver, "O")]
    if i % 4 == 1: segs.append(dg1(1, ver))
    segs += tail_rgs(ver)
    if i == 9: segs.append("ZSC|reminder^sms|Y")
    write(fname("siu", ev, ver, tag), segs, le())

# ---------------- PPR ----------------
for i, (ev, ver) in enumerate([("PC1", "2.4"), ("PC1", "2.5.1"), ("PC2", "2.3.1"), ("PC3", "2.5"), ("PC1", "2.4")]):
    tag = ""
    q = {"prb-2-16"} if i == 4 else set()
    if q: tag = "prb-2-16"
    typ = "PPR^%s^PPR_PC1" % ev
    segs = [msh(typ, ver), pid(ver), pv1(ver, "O"), prb(ver, q), "NTE|1||Diagnosed at outside clinic"]
    if ver >= "2.4" and i % 2 == 0:
        segs += ["ROL|1|AD|PP^Primary care provider^HL70443|%s^%s^%s" % DOCS[0][:3]]
    if i == 1: segs += [obx(1, ver, "NM")]
    if i == 3: segs += [goal()]
    write(fname("ppr", ev, ver, tag), segs, le())

# ---------------- REF ----------------
for i, (ev, ver) in enumerate([("I12", "2.4"), ("I12", "2.5.1"), ("I13", "2.5"), ("I14", "2.3.1"), ("I15", "2.5"), ("I12", "2.6")]):
    tag = ""
    segs = [msh("REF^%s^REF_I12" % ev, ver), rf1(ver), prd("RP^Referring provider^HL70286"), prd("RT^Referred to provider^HL70286"), pid(ver), nk1(), gt1(),
            in1(1), "ACC|%s|AA^Auto accident^HL70050" % ts(1, 17, 45) if i == 3 else dg1(1, ver)]
    if i == 1:
        segs.append("RQD|1|||||||||202110201030+0215"); tag = "rqd-10-tz"
    elif i != 3:
        segs.append("RQD|1|||||||||%s" % ts(12, 0, 0)[:8])
    segs += [pv1(ver, "O"), obr(1, ver), obx(1, ver, "TX")]
    write(fname("ref", ev, ver, tag), segs, le())

# ---------------- DFT ----------------
for i, (ev, st, ver) in enumerate([("P03", "DFT_P03", "2.3"), ("P03", "DFT_P03", "2.4"), ("P03", "DFT_P03", "2.5.1"), ("P11", "DFT_P11", "2.5.1"),
                                    ("P11", "DFT_P11", "2.6"), ("P03", "DFT_P03", "2.8")]):
    typ = "DFT^%s^%s" % (ev, st) if ver >= "2.3.1" else "DFT^%s" % ev
    segs = [msh(typ, ver), evn(ev, ver), pid(ver), pv1(ver)]
    if ev == "P11":
        segs += [dg1(1, ver), gt1(), in1(1), ft1(1, ver), ft1(2, ver)]
    else:
        segs += [ft1(1, ver), ft1(2, ver), pr1(1), dg1(1, ver)]
    if i == 2: segs.append("ZFT|copay^25.00")
    write(fname("dft", ev, ver), segs, le())

# ---------------- BAR ----------------
for i, (ev, st, ver) in enumerate([("P01", "BAR_P01", "2.3"), ("P01", "BAR_P01", "2.5"), ("P02", "BAR_P02", "2.4"), ("P12", "BAR_P12", "2.5.1"),
                                    ("P12", "BAR_P12", "2.6"), ("P01", "BAR_P01", "2.7")]):
    typ = "BAR^%s^%s" % (ev, st) if ver >= "2.3.1" else "BAR^%s" % ev
    segs = [msh(typ, ver), evn(ev, ver), pid(ver)]
    if ev == "P12":
        segs += [pv1(ver), dg1(1, ver), "DRG|%s" % random.choice(["470^Major joint replacement^DRG", "291"]), pr1(1)]
    elif ev == "P02":
        segs += ["PV1|1|O"]
    else:
        segs += [pv1(ver), dg1(1, ver), dg1(2, ver), pr1(1), gt1(), in1(1)]
    write(fname("bar", ev, ver), segs, le())

print(len(files), "messages")
