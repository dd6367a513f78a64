package io.carebus.deid;

import io.carebus.api.deid.PatientIdentifier;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MarkdownType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * FHIR R4 de-identification by element type, for every resource type (Patient, RelatedPerson, Practitioner, Encounter,
 * Observation, DiagnosticReport, Condition, ImagingStudy, DocumentReference and whatever else a Bundle holds): the
 * patient's identifiers become its pseudonym (system {@value #PSEUDONYM_SYSTEM}), other identifiers keyed replacements;
 * the patient's name its replacement name, every other person's name, telecom, photo and address lines go; addresses
 * keep state, 3-digit ZIP and country; every date, dateTime and instant moves by the patient's shift (birth dates over
 * 89 years become the year that makes 90); resource ids and references are rewritten to keyed ids (so references still
 * resolve inside the Bundle); narratives are dropped; strings and markdown are scrubbed of the identifying values the
 * input held; extensions go unless allow-listed; and the resource is labelled de-identified (meta.security PSEUDED).
 */
public final class FhirDeidentifier {

    public static final String PSEUDONYM_SYSTEM = "urn:carebus:pseudonym";
    static final String LABEL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

    /**
     * What came out, whose it was and how much changed. {@code linkedShiftDays}: for every other patient identifier the
     * input named (a merge's retired Patient, {@code Patient.link}), its pseudonym and that patient's own date shift,
     * so whoever moves that patient's (shifted) history to this one can move its dates into this patient's shift.
     */
    public record Result(Resource resource, PatientIdentifier patient, String pseudonym, int shiftDays, int changed,
                         FreeTextScrubber scrubber, java.util.Map<String, Integer> linkedShiftDays) {

        public Result(Resource resource, PatientIdentifier patient, String pseudonym, int shiftDays, int changed, FreeTextScrubber scrubber) {
            this(resource, patient, pseudonym, shiftDays, changed, scrubber, java.util.Map.of());
        }
    }

    private final PseudonymDomain domain;
    private final FreeTextDetector detector;

    /** With the free-text detector on its defaults (tags). */
    public FhirDeidentifier(PseudonymDomain domain) {
        this(domain, new FreeTextDetector(domain, FreeTextDetector.Options.defaults()));
    }

    public FhirDeidentifier(PseudonymDomain domain, FreeTextDetector detector) {
        this.domain = domain;
        this.detector = detector;
    }

    /** De-identifies the resource (a Bundle: every entry) in place and returns it. */
    public Result deidentify(Resource input, Set<String> allowedExtensions, Collection<String> known) {
        return deidentify(input, allowedExtensions, known, detector);
    }

    /**
     * As {@link #deidentify(Resource, Set, Collection)} with another free-text detector (a profile's options): strings,
     * markdown (annotations too) and attachment titles go through it, then through the known-value scrub.
     */
    public Result deidentify(Resource input, Set<String> allowedExtensions, Collection<String> known, FreeTextDetector detector) {
        List<Resource> resources = new ArrayList<>();
        if (input instanceof Bundle bundle) {
            bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(r -> r != null).forEach(resources::add);
        } else {
            resources.add(input);
        }
        Optional<PatientIdentifier> patient = patientOf(resources);
        PatientIdentifier identity = patient.orElseGet(() -> new PatientIdentifier("urn:carebus:resource",
                input.fhirType() + "/" + input.getIdElement().getIdPart()));
        FreeTextScrubber scrubber = new FreeTextScrubber();
        known.forEach(scrubber::add);
        List<String> names = new ArrayList<>();
        for (Resource r : resources) {
            collect(r, scrubber, names);
        }
        int shift = domain.dateShiftDays(identity);
        Walk walk = new Walk(identity, patient.isPresent(), shift, allowedExtensions, scrubber, detector,
                new FreeTextDetector.Subject(identity, shift, FreeTextDetector.nameWords(names)));
        if (input instanceof Bundle bundle) {
            walk.resource(bundle);
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                if (entry.getResource() != null) {
                    walk.resource(entry.getResource());
                }
                if (entry.hasFullUrl()) {
                    entry.setFullUrl(walk.rewriteReference(entry.getFullUrl()));
                }
                if (entry.hasRequest() && entry.getRequest().hasUrl()) {
                    entry.getRequest().setUrl(walk.rewriteReference(entry.getRequest().getUrl().split("\\?")[0]));
                    entry.getRequest().setIfNoneExist(null);
                }
            }
        } else {
            walk.resource(input);
        }
        return new Result(input, patient.orElse(null), patient.map(domain::pseudonym).orElse(null), walk.shift, walk.changed, scrubber,
                java.util.Map.copyOf(walk.linked));
    }

    /**
     * The patient: the first Patient's medical record number (identifier type MR), else its first identifier with a
     * value (as PID-3 is chosen in HL7v2, so one patient has one pseudonym in both); else the subject of the first
     * resource that has one.
     */
    public static Optional<PatientIdentifier> patientOf(List<Resource> resources) {
        for (Resource r : resources) {
            if (r instanceof Patient p) {
                List<Identifier> ordered = new ArrayList<>(p.getIdentifier());
                ordered.sort(java.util.Comparator.comparing(i -> i.getType().getCoding().stream().anyMatch(c -> "MR".equals(c.getCode())) ? 0 : 1));
                for (Identifier id : ordered) {
                    if (id.hasValue()) {
                        return Optional.of(new PatientIdentifier(id.hasSystem() ? id.getSystem() : "unknown", id.getValue()));
                    }
                }
                if (p.hasIdElement() && p.getIdElement().hasIdPart()) {
                    return Optional.of(new PatientIdentifier("urn:carebus:fhir-id", "Patient/" + p.getIdElement().getIdPart()));
                }
            }
        }
        for (Resource r : resources) {
            Property subject = r.getNamedProperty("subject");
            if (subject != null && subject.hasValues() && subject.getValues().get(0) instanceof Reference ref) {
                if (ref.hasIdentifier() && ref.getIdentifier().hasValue()) {
                    return Optional.of(new PatientIdentifier(ref.getIdentifier().hasSystem() ? ref.getIdentifier().getSystem() : "unknown",
                            ref.getIdentifier().getValue()));
                }
                if (ref.hasReference()) {
                    return Optional.of(new PatientIdentifier("urn:carebus:fhir-id", ref.getReference()));
                }
            }
        }
        return Optional.empty();
    }

    /** What identifies people in the input, for the free-text scrub; people's names (clinicians' too) for the detector. */
    private static void collect(Resource r, FreeTextScrubber scrubber, List<String> names) {
        if (r instanceof org.hl7.fhir.r4.model.Practitioner practitioner) {
            practitioner.getName().forEach(n -> names.add(n.getNameAsSingleString()));
        }
        if (r instanceof Patient p) {
            p.getName().forEach(n -> names.add(n.getNameAsSingleString()));
            p.getContact().forEach(c -> names.add(c.getName().getNameAsSingleString()));
            p.getName().forEach(n -> name(n, scrubber));
            p.getTelecom().forEach(t -> scrubber.add(t.getValue()));
            p.getAddress().forEach(a -> address(a, scrubber));
            p.getIdentifier().forEach(i -> scrubber.add(i.getValue()));
            if (p.hasBirthDate()) {
                scrubber.addDate(p.getBirthDateElement().getValueAsString());
            }
            p.getContact().forEach(c -> {
                name(c.getName(), scrubber);
                c.getTelecom().forEach(t -> scrubber.add(t.getValue()));
                address(c.getAddress(), scrubber);
            });
        } else if (r instanceof RelatedPerson rp) {
            rp.getName().forEach(n -> names.add(n.getNameAsSingleString()));
            rp.getName().forEach(n -> name(n, scrubber));
            rp.getTelecom().forEach(t -> scrubber.add(t.getValue()));
            rp.getAddress().forEach(a -> address(a, scrubber));
        }
    }

    private static void name(HumanName n, FreeTextScrubber scrubber) {
        scrubber.add(n.getFamily());
        n.getGiven().forEach(g -> scrubber.add(g.getValue()));
        scrubber.add(n.getText());
        scrubber.add(n.getNameAsSingleString());
    }

    private static void address(Address a, FreeTextScrubber scrubber) {
        a.getLine().forEach(l -> scrubber.add(l.getValue()));
        scrubber.add(a.getCity());
        scrubber.add(a.getPostalCode());
        scrubber.add(a.getText());
    }

    /** One pass over a resource tree, knowing the patient, the shift and what to scrub. */
    private final class Walk {
        private final PatientIdentifier patient;
        private final boolean known;
        private final int shift;
        private final Set<String> allowedExtensions;
        private final FreeTextScrubber scrubber;
        private final FreeTextDetector detector;
        private final FreeTextDetector.Subject subject;
        private final java.util.Map<String, Integer> linked = new java.util.TreeMap<>();
        private int changed;

        /** The pseudonym of a patient identifier; another patient's is remembered with that patient's date shift. */
        private String pseudonym(PatientIdentifier pid) {
            String pseudonym = domain.pseudonym(pid);
            if (!(known && pid.system().equals(patient.system()) && pid.value().equals(patient.value()))) {
                linked.put(pseudonym, domain.dateShiftDays(pid));
            }
            return pseudonym;
        }

        Walk(PatientIdentifier patient, boolean known, int shift, Set<String> allowedExtensions, FreeTextScrubber scrubber,
             FreeTextDetector detector, FreeTextDetector.Subject subject) {
            this.patient = patient;
            this.known = known;
            this.shift = shift;
            this.allowedExtensions = allowedExtensions;
            this.scrubber = scrubber;
            this.detector = detector;
            this.subject = subject;
        }

        /** Free text: the detector's findings replaced, then the known values. */
        private String clean(String text) {
            return text == null ? null : scrubber.scrub(detector.redact(text, subject));
        }

        void resource(Resource r) {
            if (r.hasIdElement() && r.getIdElement().hasIdPart()) {
                r.setId(keyedId(r.fhirType(), r.getIdElement().getIdPart()));
                changed++;
            }
            r.getMeta().addSecurity(new Coding(LABEL_SYSTEM, "PSEUDED", "pseudonymized"));
            if (r instanceof DomainResource d) {
                if (d.hasText()) {
                    d.setText(null);
                    changed++;
                }
                d.getContained().forEach(this::resource);
            }
            if (r instanceof Patient p) {
                patientResource(p);
            }
            if (r instanceof Bundle) {
                node(r, r, true);
                return;
            }
            node(r, r, false);
        }

        private void patientResource(Patient p) {
            for (Identifier id : p.getIdentifier()) {
                if (id.hasValue()) {
                    PatientIdentifier pid = new PatientIdentifier(id.hasSystem() ? id.getSystem() : "unknown", id.getValue());
                    id.setSystem(PSEUDONYM_SYSTEM).setValue(pseudonym(pid)).setAssigner(null).setType(null).setPeriod(null);
                    changed++;
                }
            }
            p.getName().clear();
            String[] replacement = domain.replacementName(patient);
            p.addName().setFamily(replacement[0]).addGiven(replacement[1]).setUse(HumanName.NameUse.ANONYMOUS);
            p.getContact().clear();
            p.getPhoto().clear();
            if (p.hasBirthDate()) {
                Calendar born = Calendar.getInstance();
                born.setTime(p.getBirthDate());
                int age = Calendar.getInstance().get(Calendar.YEAR) - born.get(Calendar.YEAR);
                if (age > 89) {
                    p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(Integer.toString(Calendar.getInstance().get(Calendar.YEAR) - 90)));
                    changed++;
                    // Already aggregated: the shift below must not move it again.
                    p.getBirthDateElement().setUserData("carebus.deid.done", Boolean.TRUE);
                }
            }
            changed++;
        }

        /** Visits every child element of {@code base} (the Bundle itself only for its own elements, not its entries). */
        private void node(Base base, Resource owner, boolean bundleShell) {
            if (base instanceof Element e) {
                extensions(e.getExtension());
            }
            if (base instanceof DomainResource d) {
                extensions(d.getExtension());
                extensions(d.getModifierExtension());
            }
            for (Property property : base.children()) {
                if (bundleShell && "entry".equals(property.getName())) {
                    continue;
                }
                if ("contained".equals(property.getName()) || "text".equals(property.getName()) && base instanceof DomainResource) {
                    continue;
                }
                for (Base value : List.copyOf(property.getValues())) {
                    visit(value, owner, property.getName());
                }
            }
        }

        private void visit(Base value, Resource owner, String name) {
            if (value instanceof Resource nested) {
                resource(nested);
                return;
            }
            if (value instanceof Identifier id) {
                if (!(owner instanceof Patient) && id.hasValue() && !PSEUDONYM_SYSTEM.equals(id.getSystem())) {
                    id.setValue(domain.identifier(id.getSystem(), id.getValue()));
                    id.setAssigner(null);
                    changed++;
                }
                return;
            }
            if (value instanceof HumanName n) {
                if (!(owner instanceof Patient)) {
                    n.setFamily(null).setText(null).setGiven(null).setPrefix(null).setSuffix(null);
                    changed++;
                }
                return;
            }
            if (value instanceof ContactPoint cp) {
                cp.setValue(null);
                changed++;
                return;
            }
            if (value instanceof Address a) {
                String zip = PseudonymDomain.zip3(a.getPostalCode());
                a.setLine(null).setCity(null).setDistrict(null).setText(null).setPostalCode(zip);
                changed++;
                return;
            }
            if (value instanceof Attachment att) {
                if (att.hasData() || att.hasUrl()) {
                    att.setData(null).setUrl(null);
                    changed++;
                }
                att.setTitle(clean(att.getTitle()));
                return;
            }
            if (value instanceof Reference ref) {
                if (ref.hasReference() && ref.getReference().contains("?")) {
                    // A conditional reference names its target by identifier: that identifier is what must go.
                    String type = ref.getReference().substring(0, ref.getReference().indexOf('?'));
                    ref.setReference(null);
                    if (type.matches("[A-Z][A-Za-z]+")) {
                        ref.setType(type);
                    }
                    changed++;
                } else if (ref.hasReference()) {
                    ref.setReference(rewriteReference(ref.getReference()));
                    changed++;
                }
                if (ref.hasIdentifier() && ref.getIdentifier().hasValue()) {
                    Identifier id = ref.getIdentifier();
                    PatientIdentifier asPatient = new PatientIdentifier(id.hasSystem() ? id.getSystem() : "unknown", id.getValue());
                    // Patient.link.other names another patient (a merge's retired or surviving one): its pseudonym,
                    // the one that patient's own messages get, so a merge by identifier still names it.
                    boolean linkedPatient = owner instanceof Patient && "other".equals(name);
                    if (linkedPatient || known && asPatient.system().equals(patient.system()) && asPatient.value().equals(patient.value())) {
                        id.setSystem(PSEUDONYM_SYSTEM).setValue(pseudonym(asPatient));
                    } else {
                        id.setValue(domain.identifier(id.getSystem(), id.getValue()));
                    }
                    changed++;
                }
                if (ref.hasDisplay()) {
                    ref.setDisplay(null);
                    changed++;
                }
                return;
            }
            if (value instanceof BaseDateTimeType date) {
                if (date.getValue() != null && date.getUserData("carebus.deid.done") == null) {
                    date.add(Calendar.DATE, shift);
                    changed++;
                }
                return;
            }
            if (value instanceof MarkdownType md) {
                scrubPrimitive(md);
                return;
            }
            if (value.getClass() == StringType.class) {
                scrubPrimitive((StringType) value);
                return;
            }
            if (!value.isPrimitive()) {
                node(value, owner, false);
            }
        }

        private void scrubPrimitive(org.hl7.fhir.r4.model.PrimitiveType<String> text) {
            String before = text.getValue();
            String after = clean(before);
            if (before != null && !before.equals(after)) {
                text.setValue(after);
                changed++;
            }
        }

        private void extensions(List<org.hl7.fhir.r4.model.Extension> extensions) {
            int before = extensions.size();
            extensions.removeIf(x -> !allowedExtensions.contains(x.getUrl()));
            changed += before - extensions.size();
        }

        /** Type/id, urn:uuid:..., absolute URLs ending in Type/id; conditional references lose their query. */
        String rewriteReference(String reference) {
            if (reference.startsWith("urn:uuid:")) {
                String uid = domain.uid(reference);
                return "urn:uuid:" + java.util.UUID.nameUUIDFromBytes(uid.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            if (reference.startsWith("#")) {
                return reference;
            }
            String path = reference.split("\\?")[0];
            String[] parts = path.split("/");
            if (parts.length >= 2 && parts[parts.length - 2].matches("[A-Z][A-Za-z]+")) {
                String type = parts[parts.length - 2];
                return type + "/" + keyedId(type, parts[parts.length - 1]);
            }
            return path.matches("[A-Z][A-Za-z]+") ? path : "urn:carebus:removed-reference";
        }

        private String keyedId(String type, String id) {
            return domain.identifier("fhir-id:" + type, id).toLowerCase(Locale.ROOT);
        }
    }
}
