package io.carebus.deid;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Which HL7v2 fields a de-identification profile changes, and how: lines {@code PID-5 = name} in a properties file;
 * {@code Z* = remove} for every Z-segment field unless a line names it ({@code ZPI-3 = keep}); fields not named are
 * kept. The shipped profile {@code safe-harbor} covers the 18 HIPAA Safe Harbor identifier types in MSH, EVN, PID, PD1,
 * NK1, PV1, PV2, GT1, IN1, IN2, ORC, OBR, OBX, NTE, TXA and MRG.
 */
public final class Hl7Profile {

    /** What happens to a field. */
    public enum Action {
        KEEP, REMOVE,
        /** A patient identifier (CX): the keyed pseudonym, authority CAREBUS, identifier type kept. */
        PSEUDONYM,
        /** Another identifier (visit, account, order, accession): a keyed replacement. */
        HASH,
        /** The patient's name: the patient's replacement name. */
        NAME,
        /** A date or time: moved by the patient's date shift, precision kept. */
        SHIFT,
        /** The birth date: shifted; over 89 only the year that makes 90. */
        BIRTH,
        /** An address: state, 3-digit ZIP (Safe Harbor) and country only. */
        ADDRESS,
        /**
         * Free text: every identifying value of the message (and the vault) replaced, and the free-text detector's
         * findings (phones, names after cue words, dates shifted, ...).
         */
        SCRUB,
        /**
         * OBX-5: scrubbed like {@link #SCRUB} when OBX-2 is a text type (TX, FT, ST); for coded values (CWE, CE, CNE,
         * CF) only the text components (2, 5, 9) go through the detector; numbers and codes are kept as they are.
         */
        SCRUB_TEXT,
        /** Not free text but may hold a known value (MSH-10 control ids built from MRNs): known values only. */
        SCRUB_KNOWN
    }

    private final String name;
    private final Map<String, Action> rules;
    private final Action zSegments;
    private final Map<String, String> settings;

    private Hl7Profile(String name, Map<String, Action> rules, Action zSegments, Map<String, String> settings) {
        this.name = name;
        this.rules = Map.copyOf(rules);
        this.zSegments = zSegments;
        this.settings = Map.copyOf(settings);
    }

    public static Hl7Profile of(String name, Properties lines) {
        Map<String, Action> rules = new TreeMap<>();
        Map<String, String> settings = new TreeMap<>();
        Action z = Action.KEEP;
        for (String key : lines.stringPropertyNames()) {
            String k = key.strip().toUpperCase(Locale.ROOT);
            if (k.startsWith("FREETEXT.")) {
                // free-text detector settings of this profile (freetext.replacement = tags|surrogates, ...)
                settings.put(key.strip().toLowerCase(Locale.ROOT), lines.getProperty(key).strip());
                continue;
            }
            Action action;
            try {
                action = Action.valueOf(lines.getProperty(key).strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("profile " + name + ": " + key + " = " + lines.getProperty(key)
                        + " is not one of keep, remove, pseudonym, hash, name, shift, birth, address, scrub, scrub-text, scrub-known");
            }
            if (k.equals("Z*")) {
                z = action;
            } else if (k.matches("[A-Z][A-Z0-9]{2}-[0-9]{1,3}")) {
                rules.put(k, action);
            } else {
                throw new IllegalArgumentException("profile " + name + ": " + key + " is not a field (SEG-n) or Z*");
            }
        }
        return new Hl7Profile(name, rules, z, settings);
    }

    /** A profile shipped in the bundle ({@code profiles/<name>.hl7.properties}). */
    public static Hl7Profile builtIn(String name) {
        try (InputStream in = Hl7Profile.class.getResourceAsStream("/profiles/" + name + ".hl7.properties")) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in HL7v2 de-identification profile " + name);
            }
            Properties p = new Properties();
            p.load(in);
            return of(name, p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    /** The profile's {@code freetext.*} lines (the detector's options for this profile), lower-case keys. */
    public Map<String, String> settings() {
        return settings;
    }

    public Map<String, Action> rules() {
        return rules;
    }

    public Action action(String segment, int field) {
        Action action = rules.get(segment + "-" + field);
        if (action != null) {
            return action;
        }
        return segment.startsWith("Z") ? zSegments : Action.KEEP;
    }
}
