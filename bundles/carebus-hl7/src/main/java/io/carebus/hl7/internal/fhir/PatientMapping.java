package io.carebus.hl7.internal.fhir;

import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/** PID to Patient (v2-to-FHIR IG "PID[Patient]"): identifiers, names, birth date, gender, address, telecom, death. */
final class PatientMapping {

    /** ISO 639-2 (three letters, as many senders use) to the ISO 639-1 code BCP 47 wants. */
    private static final java.util.Map<String, String> ISO639_2 = iso639();

    private PatientMapping() {
    }

    private static java.util.Map<String, String> iso639() {
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (String two : java.util.Locale.getISOLanguages()) {
            try {
                map.put(java.util.Locale.forLanguageTag(two).getISO3Language(), two);
            } catch (java.util.MissingResourceException e) {
                // no three-letter code known for it
            }
        }
        // the bibliographic forms (ISO 639-2/B) that differ from the terminologic ones
        map.putAll(java.util.Map.of("ger", "de", "fre", "fr", "chi", "zh", "dut", "nl", "gre", "el", "cze", "cs", "per", "fa",
                "rum", "ro", "slo", "sk", "alb", "sq"));
        return java.util.Map.copyOf(map);
    }

    static Patient fromPid(V2Segment pid, MappingContext ctx) {
        String sendingFacility = ctx.facility;
        Patient patient = new Patient();
        for (int rep = 0; rep < pid.repetitions(3); rep++) {
            Identifier id = V2Types.cx(pid, 3, rep, sendingFacility);
            if (id != null) {
                patient.addIdentifier(id);
            }
        }
        // PID-2 (external id) and PID-4 (alternate id) were retired into PID-3; older senders still fill them.
        for (int field : new int[] {2, 4}) {
            for (int rep = 0; rep < pid.repetitions(field); rep++) {
                Identifier id = V2Types.cx(pid, field, rep, sendingFacility);
                if (id != null && patient.getIdentifier().stream().noneMatch(i -> same(i, id))) {
                    patient.addIdentifier(id);
                }
            }
        }
        for (int rep = 0; rep < pid.repetitions(5); rep++) {
            HumanName name = name(pid, 5, rep);
            if (name != null) {
                patient.addName(name);
            }
        }
        ctx.date(pid, 7).ifPresent(patient::setBirthDateElement);
        String gender = V2Codes.gender(pid.get(8));
        if (gender != null) {
            patient.setGender(AdministrativeGender.fromCode(gender));
        }
        for (int rep = 0; rep < pid.repetitions(11); rep++) {
            Address address = address(pid, 11, rep);
            if (address != null) {
                patient.addAddress(address);
            }
        }
        addTelecom(patient, pid, 13, ContactPoint.ContactPointUse.HOME);
        addTelecom(patient, pid, 14, ContactPoint.ContactPointUse.WORK);
        if (!pid.get(16).isEmpty()) {
            patient.getMaritalStatus().addCoding().setSystem(V2Codes.tableSystem("0002", pid.get(16))).setCode(pid.get(16));
        }
        String language = pid.get(15).trim();
        String[] parts = language.split("-");
        parts[0] = parts[0].toLowerCase(java.util.Locale.ROOT);
        if (parts[0].length() == 3) {
            parts[0] = ISO639_2.getOrDefault(parts[0], parts[0]);
        }
        if (language.matches("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*") && parts[0].length() == 2) {
            // R4 binds the language to BCP 47 (ISO 639-1 codes, lower case), whatever table name the sender gives
            String code = String.join("-", parts);
            String display = pid.get(15, 2);
            patient.addCommunication().getLanguage().setText(display.isEmpty() ? null : display)
                    .addCoding().setSystem("urn:ietf:bcp:47").setCode(code);
        } else if (!language.isEmpty() || !pid.get(15, 2).isEmpty()) {
            patient.addCommunication().getLanguage().setText(pid.get(15, 2).isEmpty() ? language : pid.get(15, 2));
        }
        DateTimeType death = ctx.dateTime(pid, 29).orElse(null);
        if (death != null) {
            patient.setDeceased(death);
        } else if ("Y".equalsIgnoreCase(pid.get(30)) || "N".equalsIgnoreCase(pid.get(30))) {
            patient.setDeceased(new org.hl7.fhir.r4.model.BooleanType("Y".equalsIgnoreCase(pid.get(30))));
        }
        return patient;
    }

    private static boolean same(Identifier a, Identifier b) {
        return a.getSystem().equals(b.getSystem()) && a.getValue().equals(b.getValue());
    }

    static HumanName name(V2Segment s, int field, int rep) {
        String family = s.get(field, rep, 1, 1);
        String given = s.get(field, rep, 2, 1);
        String middle = s.get(field, rep, 3, 1);
        if (family.isEmpty() && given.isEmpty()) {
            return null;
        }
        HumanName name = new HumanName();
        if (!family.isEmpty()) {
            name.setFamily(family);
        }
        if (!given.isEmpty()) {
            name.addGiven(given);
        }
        if (!middle.isEmpty()) {
            name.addGiven(middle);
        }
        if (!s.get(field, rep, 4, 1).isEmpty()) {
            name.addSuffix(s.get(field, rep, 4, 1));
        }
        if (!s.get(field, rep, 5, 1).isEmpty()) {
            name.addPrefix(s.get(field, rep, 5, 1));
        }
        String use = V2Codes.nameUse(s.get(field, rep, 7, 1));
        if (use != null) {
            name.setUse(HumanName.NameUse.fromCode(use));
        }
        return name;
    }

    static Address address(V2Segment s, int field, int rep) {
        Address address = new Address();
        if (!s.get(field, rep, 1, 1).isEmpty()) {
            address.addLine(s.get(field, rep, 1, 1));
        }
        if (!s.get(field, rep, 2, 1).isEmpty()) {
            address.addLine(s.get(field, rep, 2, 1));
        }
        setIf(s.get(field, rep, 3, 1), address::setCity);
        setIf(s.get(field, rep, 4, 1), address::setState);
        setIf(s.get(field, rep, 5, 1), address::setPostalCode);
        setIf(s.get(field, rep, 6, 1), address::setCountry);
        setIf(s.get(field, rep, 9, 1), address::setDistrict);
        if (address.isEmpty()) {
            return null;
        }
        String type = s.get(field, rep, 7, 1);
        String use = V2Codes.addressUse(type);
        if (use != null) {
            address.setUse(Address.AddressUse.fromCode(use));
        }
        if ("M".equalsIgnoreCase(type)) {
            address.setType(Address.AddressType.POSTAL);
        }
        return address;
    }

    private static void addTelecom(Patient patient, V2Segment s, int field, ContactPoint.ContactPointUse defaultUse) {
        telecoms(s, field, defaultUse).forEach(patient::addTelecom);
    }

    /** XTN repetitions: email for Internet/X.400/NET, else phone, fax, pager; use from XTN-2 or the field's default. */
    static java.util.List<ContactPoint> telecoms(V2Segment s, int field, ContactPoint.ContactPointUse defaultUse) {
        java.util.List<ContactPoint> out = new java.util.ArrayList<>();
        for (int rep = 0; rep < s.repetitions(field); rep++) {
            String useCode = s.get(field, rep, 2, 1).toUpperCase(java.util.Locale.ROOT);
            String equipment = s.get(field, rep, 3, 1).toUpperCase(java.util.Locale.ROOT);
            ContactPoint point = new ContactPoint();
            String value;
            if ("INTERNET".equals(equipment) || "X.400".equals(equipment) || "NET".equals(useCode)) {
                point.setSystem(ContactPoint.ContactPointSystem.EMAIL);
                value = s.get(field, rep, 4, 1);
            } else {
                point.setSystem(switch (equipment) {
                    case "FX" -> ContactPoint.ContactPointSystem.FAX;
                    case "BP" -> ContactPoint.ContactPointSystem.PAGER;
                    case "MD" -> ContactPoint.ContactPointSystem.OTHER;
                    default -> ContactPoint.ContactPointSystem.PHONE;
                });
                value = phoneNumber(s, field, rep);
            }
            if (value.isEmpty()) {
                continue;
            }
            point.setValue(value);
            point.setUse("CP".equals(equipment) ? ContactPoint.ContactPointUse.MOBILE
                    : "WPN".equals(useCode) ? ContactPoint.ContactPointUse.WORK
                    : "PRN".equals(useCode) || "ORN".equals(useCode) || "VHN".equals(useCode) ? ContactPoint.ContactPointUse.HOME
                    : defaultUse);
            out.add(point);
        }
        return out;
    }

    private static String phoneNumber(V2Segment s, int field, int rep) {
        String unformatted = s.get(field, rep, 12, 1);
        if (!unformatted.isEmpty()) {
            return unformatted;
        }
        String local = s.get(field, rep, 7, 1);
        if (!local.isEmpty()) {
            String country = s.get(field, rep, 5, 1);
            String area = s.get(field, rep, 6, 1);
            String ext = s.get(field, rep, 8, 1);
            return ((country.isEmpty() ? "" : "+" + country + " ") + (area.isEmpty() ? "" : "(" + area + ") ") + local
                    + (ext.isEmpty() ? "" : " x" + ext)).trim();
        }
        return s.get(field, rep, 1, 1);
    }

    private static void setIf(String value, java.util.function.Consumer<String> setter) {
        if (!value.isEmpty()) {
            setter.accept(value);
        }
    }
}
