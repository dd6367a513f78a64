package io.carebus.deid.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.HL7Exception;
import io.carebus.api.SecretFiles;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.deid.Deidentification;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.FhirDeidentifier;
import io.carebus.deid.Hl7Deidentifier;
import io.carebus.deid.Hl7Profile;
import io.carebus.deid.PseudonymDomain;
import io.carebus.api.store.EngineDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pseudonym domain (secrets from configuration, the environment, or generated once), the vault and the two
 * de-identifiers, for the routes' steps. Every de-identification records what it learnt about the patient in the vault
 * (so the next message's free text is scrubbed of it too) and is audited; every re-identification is audited.
 */
@Component(service = {DeidService.class, Deidentification.class, HealthIndicator.class}, configurationPid = "io.carebus.deid")
@Designate(ocd = DeidConfig.class)
public class DeidService implements Deidentification, HealthIndicator {

    private static final Logger LOG = LoggerFactory.getLogger(DeidService.class);

    private final PseudonymDomain domain;
    private final Vault vault;
    private final Hl7Deidentifier hl7;
    private final FhirDeidentifier fhir;
    private final io.carebus.dicom.DicomDeidentifier dicom;
    private final io.carebus.dicom.DicomDeidentifier.Options dicomOptions;
    private final io.carebus.deid.FreeTextDetector detector;
    private final Set<String> allowedExtensions;
    private final Path profiles;
    private final FhirContext fhirContext = FhirContext.forR4Cached();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile AuditTrail audit;

    /** Metrics (health details): items de-identified per format, fields/elements changed, re-identifications. */
    private final java.util.concurrent.atomic.LongAdder hl7Messages = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder fhirResources = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder dicomInstances = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder changed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder reidentified = new java.util.concurrent.atomic.LongAdder();
    private final long startedNanos = System.nanoTime();

    @Activate
    public DeidService(DeidConfig config, @Reference EngineDatabase database) throws IOException {
        Map<String, byte[]> secrets = secrets(config.keys(), keyDirectory(config.key_directory()));
        String keyId = config.key_id().isBlank() ? secrets.keySet().iterator().next() : config.key_id().strip();
        this.domain = new PseudonymDomain(keyId, secrets.get(keyId), config.max_shift_days());
        // The engine's one database (etc/io.carebus.store.cfg): the vault is backed up with everything else.
        this.vault = new Vault(database.dataSource(), keyId, secrets, Clock.systemUTC());
        this.detector = new io.carebus.deid.FreeTextDetector(domain, freeTextOptions(config));
        this.hl7 = new Hl7Deidentifier(domain, detector);
        this.fhir = new FhirDeidentifier(domain, detector);
        this.dicom = new io.carebus.dicom.DicomDeidentifier(domain, textCleaner(detector));
        this.dicomOptions = dicomOptions(config);
        this.allowedExtensions = Arrays.stream(config.fhir_allowed_extensions().split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.profiles = Path.of(System.getProperty("karaf.etc", "etc")).resolve(config.profile_directory());
    }

    /** For tests and tools: a service over the given pieces. */
    DeidService(PseudonymDomain domain, Vault vault, Set<String> allowedExtensions, Path profiles) {
        this(domain, vault, allowedExtensions, profiles, io.carebus.dicom.DicomDeidentifier.Options.defaults());
    }

    DeidService(PseudonymDomain domain, Vault vault, Set<String> allowedExtensions, Path profiles,
                io.carebus.dicom.DicomDeidentifier.Options dicomOptions) {
        this(domain, vault, allowedExtensions, profiles, dicomOptions, io.carebus.deid.FreeTextDetector.Options.defaults());
    }

    DeidService(PseudonymDomain domain, Vault vault, Set<String> allowedExtensions, Path profiles,
                io.carebus.dicom.DicomDeidentifier.Options dicomOptions, io.carebus.deid.FreeTextDetector.Options freeText) {
        this.domain = domain;
        this.vault = vault;
        this.detector = new io.carebus.deid.FreeTextDetector(domain, freeText);
        this.hl7 = new Hl7Deidentifier(domain, detector);
        this.fhir = new FhirDeidentifier(domain, detector);
        this.dicom = new io.carebus.dicom.DicomDeidentifier(domain, textCleaner(detector));
        this.dicomOptions = dicomOptions;
        this.allowedExtensions = allowedExtensions;
        this.profiles = profiles;
    }

    /** The folder of the generated secret: {@code key.directory}, blank = data/carebus (where it always was). */
    static Path keyDirectory(String configured) {
        return configured == null || configured.isBlank() ? Path.of(System.getProperty("karaf.data", "data"), "carebus")
                : Path.of(configured.strip());
    }

    /**
     * {@code keys} ("id=base64,..."), else CAREBUS_DEID_KEYS, else the secret in {@code keyDirectory}/deid-keys, generated
     * once (atomically, owner-only, never overwritten) when that file does not exist.
     */
    static Map<String, byte[]> secrets(String configured, Path keyDirectory) throws IOException {
        String spec = !configured.isBlank() ? configured : Optional.ofNullable(System.getenv("CAREBUS_DEID_KEYS")).orElse("");
        if (spec.isBlank()) {
            Path file = keyDirectory.resolve("deid-keys");
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                if (SecretFiles.createIfAbsent(file, "k1=" + Base64.getEncoder().encodeToString(secret) + "\n")) {
                    LOG.warn("No pseudonym secret configured: generated one into {}; keep a copy apart from the database, "
                            + "without it no pseudonym can be re-linked", file);
                }
            }
            spec = Files.readString(file).strip();
            if (spec.isEmpty()) {
                throw new IOException(file + " is empty: restore the pseudonym secret from its backup");
            }
        }
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("pseudonym keys are id=base64, comma separated");
            }
            secrets.put(entry.substring(0, eq).strip(), Base64.getDecoder().decode(entry.substring(eq + 1).strip()));
        }
        return secrets;
    }

    PseudonymDomain domain() {
        return domain;
    }

    static io.carebus.deid.FreeTextDetector.Options freeTextOptions(DeidConfig config) {
        return io.carebus.deid.FreeTextDetector.Options.defaults().with(Map.of("freetext.enabled", Boolean.toString(config.freetext_enabled()),
                "freetext.replacement", config.freetext_replacement(), "freetext.max.chars", Integer.toString(config.freetext_max_chars())));
    }

    /** DICOM descriptions and comments through the same detector as HL7v2 and FHIR text (one pseudonym domain). */
    static io.carebus.dicom.DicomDeidentifier.TextCleaner textCleaner(io.carebus.deid.FreeTextDetector detector) {
        return (text, patient, shift, phrases) -> detector.redact(text, new io.carebus.deid.FreeTextDetector.Subject(patient, shift,
                io.carebus.deid.FreeTextDetector.nameWords(phrases)));
    }

    /** The detector with a profile's {@code freetext.*} lines over the configured options. */
    io.carebus.deid.FreeTextDetector detector(String profileName) {
        return detector.with(detector.options().with(profile(profileName == null ? "safe-harbor" : profileName).settings()));
    }

    static io.carebus.dicom.DicomDeidentifier.Options dicomOptions(DeidConfig config) {
        io.carebus.dicom.DicomDeidentifier.BurnedIn burnedIn;
        try {
            burnedIn = io.carebus.dicom.DicomDeidentifier.BurnedIn.valueOf(config.dicom_burned_in().strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dicom.burned.in must be REJECT or MASK, was " + config.dicom_burned_in());
        }
        List<int[]> regions = new java.util.ArrayList<>();
        for (String region : config.dicom_mask_regions().split(";")) {
            if (region.isBlank()) {
                continue;
            }
            String[] n = region.split(",");
            if (n.length != 4) {
                throw new IllegalArgumentException("dicom.mask.regions: each region is x,y,width,height, got " + region);
            }
            regions.add(new int[] {Integer.parseInt(n[0].strip()), Integer.parseInt(n[1].strip()), Integer.parseInt(n[2].strip()),
                    Integer.parseInt(n[3].strip())});
        }
        Set<String> creators = Arrays.stream(config.dicom_private_creators_allowed().split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new io.carebus.dicom.DicomDeidentifier.Options(config.dicom_retain_longitudinal_dates(),
                config.dicom_retain_patient_characteristics(), config.dicom_clean_descriptors(), config.dicom_retain_device_identity(),
                creators, burnedIn, regions);
    }

    /**
     * DICOM (Part 10) de-identified by PS3.15 Annex E with the configured options; the vault learns the patient, and
     * the de-identification is audited. Refused (burned-in annotation) is an IllegalArgumentException saying why.
     */
    io.carebus.dicom.DicomDeidentifier.Result deidentifyDicom(byte[] part10, String actor) {
        return deidentifyDicom(part10, null, actor);
    }

    /** As {@link #deidentifyDicom(byte[], String)}, the free text with the profile's detector options. */
    io.carebus.dicom.DicomDeidentifier.Result deidentifyDicom(byte[] part10, String profileName, String actor) {
        io.carebus.dicom.DicomDeidentifier.Result result;
        io.carebus.deid.FreeTextDetector profiled = detector(profileName);
        io.carebus.dicom.DicomDeidentifier deidentifier = profiled == detector ? dicom
                : new io.carebus.dicom.DicomDeidentifier(domain, textCleaner(profiled));
        try {
            Set<String> known = Optional.ofNullable(io.carebus.dicom.DicomDeidentifier.patientOf(part10))
                    .flatMap(p -> vault.lookup(domain.pseudonym(p))).map(Vault.Entry::knownValues).orElse(Set.of());
            result = deidentifier.deidentify(part10, dicomOptions, known);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (io.carebus.dicom.DicomDeidentifier.RefusedException e) {
            audit(actor, AuditAction.DEID, null, "DICOM de-identification refused: " + e.getMessage());
            throw new IllegalArgumentException("refused: " + e.getMessage(), e);
        }
        if (result.pseudonym() != null) {
            vault.remember(result.pseudonym(), result.patient(), result.identifyingValues());
        }
        dicomInstances.increment();
        changed.add(result.changed());
        audit(actor, AuditAction.DEID, result.pseudonym(), "DICOM de-identified (PS3.15 E.1; " + io.carebus.dicom.DicomDeidentifier
                .describe(dicomOptions) + "; " + result.changed() + " attributes changed)");
        return result;
    }

    /** Profiles read, by name, with the modification time of their file (re-read when it changes; -1 = built in). */
    private final Map<String, Map.Entry<Long, Hl7Profile>> profileCache = new java.util.concurrent.ConcurrentHashMap<>();

    Hl7Profile profile(String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("profile names are letters, digits, - and _");
        }
        Path file = profiles.resolve(name + ".hl7.properties");
        long modified;
        try {
            modified = Files.isRegularFile(file) ? Files.getLastModifiedTime(file).toMillis() : -1;
        } catch (IOException e) {
            modified = -1;
        }
        Map.Entry<Long, Hl7Profile> cached = profileCache.get(name);
        if (cached != null && cached.getKey() == modified) {
            return cached.getValue();
        }
        Hl7Profile loaded = load(name, file, modified >= 0);
        profileCache.put(name, Map.entry(modified, loaded));
        return loaded;
    }

    private static Hl7Profile load(String name, Path file, boolean fromFile) {
        if (fromFile) {
            try (InputStream in = Files.newInputStream(file)) {
                Properties p = new Properties();
                p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                return Hl7Profile.of(name, p);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read profile " + file, e);
            }
        }
        return Hl7Profile.builtIn(name);
    }

    /** HL7v2 de-identified by the profile; the vault learns the patient's values, and what it knew is scrubbed too. */
    Hl7Deidentifier.Result deidentifyHl7(String er7, String profileName, String actor) throws HL7Exception {
        Hl7Profile profile = profile(profileName);
        Hl7Deidentifier.Result result = hl7.deidentify(er7, profile, List.of());
        if (result.pseudonym() != null) {
            Set<String> known = vault.lookup(result.pseudonym()).map(Vault.Entry::knownValues).orElse(Set.of());
            if (!result.scrubber().values().containsAll(known)) {
                result = hl7.deidentify(er7, profile, known);
            }
            vault.remember(result.pseudonym(), result.patient(), result.scrubber().values());
        }
        hl7Messages.increment();
        changed.add(result.fieldsChanged());
        audit(actor, AuditAction.DEID, result.pseudonym(), "HL7v2 de-identified (profile " + profile.name() + ", "
                + result.fieldsChanged() + " fields changed)");
        return result;
    }

    /** FHIR de-identified; as for HL7v2 (free text with the built-in profile's detector options). */
    FhirDeidentifier.Result deidentifyFhir(Resource resource, String actor) {
        return deidentifyFhir(resource, null, actor);
    }

    /** FHIR de-identified, free text with the profile's detector options. */
    FhirDeidentifier.Result deidentifyFhir(Resource resource, String profileName, String actor) {
        Optional<PatientIdentifier> patient = FhirDeidentifier.patientOf(resource instanceof org.hl7.fhir.r4.model.Bundle b
                ? b.getEntry().stream().map(org.hl7.fhir.r4.model.Bundle.BundleEntryComponent::getResource).filter(r -> r != null).toList()
                : List.of(resource));
        Set<String> known = patient.flatMap(p -> vault.lookup(domain.pseudonym(p))).map(Vault.Entry::knownValues).orElse(Set.of());
        FhirDeidentifier.Result result = fhir.deidentify(resource, allowedExtensions, known, detector(profileName));
        if (result.pseudonym() != null) {
            vault.remember(result.pseudonym(), result.patient(), result.scrubber().values());
        }
        fhirResources.increment();
        changed.add(result.changed());
        audit(actor, AuditAction.DEID, result.pseudonym(), "FHIR " + resource.fhirType() + " de-identified (" + result.changed()
                + " elements changed)");
        return result;
    }

    /**
     * Plain text with no patient (the try-it endpoint's text/plain that is not HL7v2): the detector alone; with no
     * patient there is no date shift, so dates become [DATE].
     */
    String deidentifyText(String text, String profileName, String actor) {
        io.carebus.deid.FreeTextDetector profiled = detector(profileName);
        String out = profiled.options().enabled() ? profiled.redact(text, io.carebus.deid.FreeTextDetector.Subject.unknown())
                : profiled.with(new io.carebus.deid.FreeTextDetector.Options(true, profiled.options().replacement(),
                        profiled.options().maxChars())).redact(text, io.carebus.deid.FreeTextDetector.Subject.unknown());
        audit(actor, AuditAction.DEID, null, "free text de-identified (" + text.length() + " characters)");
        return out;
    }

    /** The real patient behind a pseudonym, audited (who asked, which pseudonym; never the identifier). */
    Optional<PatientIdentifier> reidentify(String pseudonym, String actor) {
        Optional<PatientIdentifier> found = vault.lookup(pseudonym).map(Vault.Entry::patient);
        reidentified.increment();
        audit(actor, AuditAction.REIDENTIFY, pseudonym, found.isPresent() ? "re-identified" : "unknown pseudonym");
        return found;
    }

    @Override
    public String name() {
        return "deid";
    }

    @Override
    public HealthReport report() {
        double seconds = Math.max(1, (System.nanoTime() - startedNanos) / 1e9);
        long items = hl7Messages.sum() + fhirResources.sum() + dicomInstances.sum();
        return HealthReport.of(List.of(), Map.of("keyId", domain.keyId(), "hl7Messages", hl7Messages.sum(),
                "fhirResources", fhirResources.sum(), "dicomInstances", dicomInstances.sum(), "fieldsChanged", changed.sum(), "reidentifications", reidentified.sum(),
                "itemsPerSecondSinceStart", Math.round(items / seconds * 100) / 100.0));
    }

    @Override
    public Set<String> mediaTypes() {
        return Set.of("application/hl7-v2", "application/fhir+json", "application/fhir+xml", "application/dicom");
    }

    @Override
    public byte[] deidentify(String mediaType, byte[] payload, String profile, String actor) {
        String type = mediaType == null ? "" : mediaType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (type.equals("application/dicom")) {
            return deidentifyDicom(payload, profile, actor).part10();
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        try {
            return switch (type) {
                case "application/hl7-v2", "x-application/hl7-v2+er7" ->
                        deidentifyHl7(text, profile == null ? "safe-harbor" : profile, actor).message().getBytes(StandardCharsets.UTF_8);
                case "text/plain" -> text.startsWith("MSH")
                        ? deidentifyHl7(text, profile == null ? "safe-harbor" : profile, actor).message().getBytes(StandardCharsets.UTF_8)
                        : deidentifyText(text, profile, actor).getBytes(StandardCharsets.UTF_8);
                case "application/fhir+json", "application/json" -> {
                    Resource r = parseFhir(text, false);
                    yield fhirContext.newJsonParser().encodeResourceToString(deidentifyFhir(r, profile, actor).resource())
                            .getBytes(StandardCharsets.UTF_8);
                }
                case "application/fhir+xml", "application/xml" -> {
                    Resource r = parseFhir(text, true);
                    yield fhirContext.newXmlParser().encodeResourceToString(deidentifyFhir(r, profile, actor).resource())
                            .getBytes(StandardCharsets.UTF_8);
                }
                default -> throw new UnsupportedOperationException("cannot de-identify " + mediaType + " (yet): "
                        + String.join(", ", mediaTypes()));
            };
        } catch (HL7Exception | ca.uhn.fhir.parser.DataFormatException e) {
            throw new IllegalArgumentException("cannot read the payload as " + type + ": " + e.getMessage(), e);
        }
    }

    FhirContext fhirContext() {
        return fhirContext;
    }

    /**
     * FHIR JSON or XML parsed for de-identification; XML with a DOCTYPE or ENTITY declaration is refused before the
     * parser sees it (IllegalArgumentException), the same check as the FHIR intake's.
     */
    Resource parseFhir(String text, boolean xml) {
        if (xml && io.carebus.api.XmlDeclarations.declaresDtd(text)) {
            throw new IllegalArgumentException(io.carebus.api.XmlDeclarations.REFUSAL);
        }
        return (Resource) (xml ? fhirContext.newXmlParser() : fhirContext.newJsonParser()).parseResource(text);
    }

    private void audit(String actor, AuditAction action, String pseudonym, String detail) {
        AuditTrail trail = audit;
        if (trail == null) {
            return;
        }
        trail.append(new AuditRecord(java.time.Instant.now(), trail.nodeId(), actor, null, action, AuditRecord.Outcome.SUCCESS,
                pseudonym == null ? List.of() : List.of("patient/" + pseudonym), null, null, null, null, detail));
    }
}
