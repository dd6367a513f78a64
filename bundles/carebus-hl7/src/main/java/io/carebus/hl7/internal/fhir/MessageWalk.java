package io.carebus.hl7.internal.fhir;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Coverage;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.MedicationAdministration;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Specimen;

/**
 * One pass over a message's segments in order, keeping what later segments attach to: the current patient and visit,
 * order (ORC and what it became), report, specimen, document, appointment, and the last resource an NTE annotates.
 * The first PID is mapped before the walk, since some structures (REF, RRI, SIU) put referral, provider or schedule
 * segments before it.
 */
final class MessageWalk {

    private static final Set<String> ORDER_FAMILIES = Set.of("ORM", "OML", "OMG", "OMI", "OMB", "OMD", "OMN", "OMS", "REF", "RRI", "MDM");

    private final String type;
    private final String trigger;
    private final V2Segment msh;
    private final MappingContext ctx;

    private V2Segment firstPid;
    private Reference firstPatient;
    private Patient currentPatient;
    private Encounter encounter;

    private V2Segment orc;
    private boolean orcUsed = true;
    private Resource order;
    private Reference orderRef;
    private V2Segment obr;
    /** TQ1 of the current ORC that came before the OBR it times (OML, ORM in 2.5+). */
    private final java.util.List<V2Segment> pendingTiming = new java.util.ArrayList<>();
    private DiagnosticReport report;
    private Reference specimen;
    private Resource last;
    private Resource medicationTarget;
    private Coverage coverage;
    private Condition problem;
    private Reference problemRef;
    private Immunization immunization;
    private Reference immunizationRef;
    private ServiceRequest referral;
    private V2Segment txa;
    private DocumentMapping.Draft document;
    private AppointmentMapping.Draft appointment;
    /** The current patient's PID (its account number, PID-18) and Account (GT1 guarantors, IN1 coverages). */
    private V2Segment currentPid;
    private org.hl7.fhir.r4.model.Account account;
    /** The whole message and the position of the segment being mapped (a pharmacy order looks ahead for RXC). */
    private List<V2Segment> segments = List.of();
    private int position;

    MessageWalk(String type, String trigger, V2Segment msh, MappingContext ctx) {
        this.type = type;
        this.trigger = trigger;
        this.msh = msh;
        this.ctx = ctx;
    }

    private String previous = "";

    void walk(List<V2Segment> segments) {
        firstPid = segments.stream().filter(s -> "PID".equals(s.name())).findFirst().orElse(null);
        if (firstPid != null) {
            ctx.guarded(firstPid, () -> firstPatient = patient(firstPid));
            if (firstPatient != null) {
                select(firstPatient);
            }
        }
        this.segments = segments;
        for (position = 0; position < segments.size(); position++) {
            V2Segment s = segments.get(position);
            ctx.guarded(s, () -> segment(s));
            previous = s.name();
        }
        ctx.guarded(msh, this::finish);
    }

    private void segment(V2Segment s) {
        switch (s.name()) {
            case "PID" -> {
                currentPid = s;
                if (s == firstPid) {
                    if (firstPatient != null) {
                        select(firstPatient);
                    }
                } else {
                    Reference next = patient(s);
                    if (next != null) {
                        select(next);
                    }
                }
            }
            case "PD1" -> pd1(s);
            case "MRG" -> {
                if ("ADT".equals(type) && Hl7FhirMapper.MERGE_EVENTS.contains(trigger) && ctx.subject != null) {
                    Hl7FhirMapper.merge(s, ctx.subject, ctx);
                }
            }
            case "PV1" -> pv1(s);
            case "PV2" -> {
                if (encounter != null) {
                    EncounterMapping.addPv2(s, encounter, ctx);
                }
            }
            case "NK1" -> addClinical(RelatedPersonMapping.fromNk1(s, ctx));
            case "GT1" -> gt1(s);
            case "DG1" -> {
                Condition condition = ConditionMapping.fromDg1(s, ctx);
                Reference ref = addClinical(condition);
                if (ref != null && encounter != null) {
                    ConditionMapping.addToEncounter(s, ref, encounter);
                }
            }
            case "PRB" -> {
                problem = ConditionMapping.fromPrb(s, ctx);
                problemRef = addClinical(problem);
            }
            case "AL1" -> addClinical(AllergyMapping.fromAl1(s, ctx));
            case "IAM" -> addClinical(AllergyMapping.fromIam(s, ctx));
            case "PR1" -> addClinical(ProcedureMapping.fromPr1(s, ctx));
            case "IN1" -> {
                coverage = CoverageMapping.fromIn1(s, ctx);
                Reference ref = addClinical(coverage);
                if (ref != null && account != null) {
                    account.addCoverage().setCoverage(ref.copy());
                }
            }
            case "IN2" -> {
                if (coverage != null) {
                    CoverageMapping.addIn2(s, coverage);
                }
            }
            case "ROL" -> rol(s);
            case "ORC" -> {
                if ("OBR".equals(previous) && Hl7FhirMapper.isResults(type)) {
                    // OUL puts the ORC after its OBR: it belongs to the order the OBR began
                    orc = s;
                    return;
                }
                closeOrder();
                pendingTiming.clear();
                orc = s;
                orcUsed = false;
                order = null;
                orderRef = null;
                obr = null;
                report = null;
                specimen = null;
            }
            case "OBR" -> obr(s);
            case "TQ1" -> {
                if (order instanceof ServiceRequest request) {
                    OrderMapping.addTq1(s, request, ctx);
                } else if (order instanceof MedicationRequest request) {
                    OrderMapping.addTq1(s, request, ctx);
                } else if (order == null && orc != null) {
                    pendingTiming.add(s);
                }
            }
            case "OBX" -> obx(s);
            case "SPM" -> spm(s);
            case "NTE" -> note(s);
            case "RF1" -> {
                referral = OrderMapping.referral(s, ctx);
                if (ctx.subject == null) {
                    ctx.warn("RF1", "referral left out: no patient (PID) in the message", 0);
                    referral = null;
                } else {
                    referral.setSubject(ctx.subject);
                    addClinical(referral);
                }
            }
            case "PRD" -> prd(s);
            case "RXO", "RXE" -> pharmacyOrder(s);
            case "RXC" -> rxc(s);
            case "RXG" -> {
                orcUsed = true;
                MedicationRequest give = MedicationMapping.give(s, orderRef, orc, ctx);
                addClinical(give);
                medicationTarget = give;
            }
            case "RXD" -> {
                orcUsed = true;
                MedicationDispense dispense = MedicationMapping.dispense(s, order instanceof MedicationRequest ? orderRef : null, orc, ctx);
                addClinical(dispense);
                medicationTarget = dispense;
            }
            case "RXA" -> rxa(s);
            case "RXR" -> {
                if (medicationTarget != null) {
                    MedicationMapping.addRoute(s, medicationTarget);
                }
            }
            case "TXA" -> {
                closeDocument();
                txa = s;
                document = DocumentMapping.fromTxa(s, trigger, ctx);
                addClinical(document.document);
                last = null;
            }
            case "SCH" -> {
                appointment = AppointmentMapping.fromSch(s, trigger, ctx);
                ctx.bundle.add(appointment.appointment);
                last = appointment.appointment;
            }
            case "AIS", "AIG", "AIL", "AIP" -> {
                if (appointment != null) {
                    AppointmentMapping.addResource(s, appointment, ctx);
                }
            }
            case "FT1" -> addClinical(ChargeItemMapping.fromFt1(s, ctx));
            default -> { }
        }
    }

    private Reference patient(V2Segment pid) {
        Patient patient = PatientMapping.fromPid(pid, ctx);
        if (patient.getIdentifier().isEmpty() && patient.getName().isEmpty()) {
            ctx.warn("PID-3", "patient without identifier or name left out", 0);
            return null;
        }
        return ctx.bundle.patient(patient);
    }

    /** A new patient: what the previous one's segments built no longer applies. */
    private void select(Reference patient) {
        if (ctx.subject != null && ctx.subject.getReference().equals(patient.getReference())) {
            return;
        }
        ctx.subject = patient;
        currentPatient = (Patient) ctx.bundle.resourceAt(patient);
        Identifier anchor = currentPatient.getIdentifier().stream()
                .filter(i -> i.getType().getCoding().stream().anyMatch(c -> "MR".equals(c.getCode())))
                .findFirst().orElse(currentPatient.getIdentifier().isEmpty() ? null : currentPatient.getIdentifierFirstRep());
        ctx.patientAnchor = anchor == null ? "" : anchor.getValue();
        ctx.encounter = null;
        ctx.encounterAnchor = "";
        encounter = null;
        account = null;
        if (appointment != null) {
            AppointmentMapping.addPatient(appointment, patient);
        }
    }

    private void pd1(V2Segment pd1) {
        if (currentPatient == null) {
            return;
        }
        for (Reference gp : ctx.people.practitioners(pd1, 4)) {
            currentPatient.addGeneralPractitioner(gp);
        }
        for (int rep = 0; rep < pd1.repetitions(3); rep++) {
            Reference org = ctx.people.organization(pd1, 3, rep);
            if (org != null) {
                currentPatient.addGeneralPractitioner(org);
            }
        }
    }

    private void pv1(V2Segment pv1) {
        if (encounter != null || ctx.subject == null) {
            return;
        }
        Encounter mapped = EncounterMapping.fromPv1(pv1, "ADT".equals(type) ? trigger : "", ctx.subject, ctx);
        if (mapped == null) {
            return;
        }
        encounter = mapped;
        ctx.encounter = ctx.bundle.add(mapped, mapped.getIdentifier());
        ctx.encounterAnchor = mapped.hasIdentifier() ? mapped.getIdentifierFirstRep().getValue() : "";
    }

    private void rol(V2Segment rol) {
        PractitionerRole role = PractitionerRoleMapping.fromRol(rol, ctx);
        Reference ref = addClinical(role);
        if (ref != null && encounter != null) {
            encounter.addParticipant().setIndividual(ref);
        }
    }

    private void obr(V2Segment s) {
        obr = s;
        specimen = null;
        if (Hl7FhirMapper.isResults(type)) {
            report = ResultMapping.report(s, ctx.subject, ctx);
            if (ctx.encounter != null) {
                report.setEncounter(ctx.encounter);
            }
            ctx.bundle.add(report, report.getIdentifier().stream()
                    .filter(i -> "FILL".equals(i.getType().getCodingFirstRep().getCode())).toList());
            // the order the report answers, when the message names it by number
            boolean numbered = !s.get(2).isEmpty() || !s.get(3).isEmpty() || (orc != null && (!orc.get(2).isEmpty() || !orc.get(3).isEmpty()));
            ServiceRequest request = numbered ? OrderMapping.fromOrcObr(orcUsed ? null : orc, s, ctx) : null;
            orcUsed = true;
            if (request != null) {
                order = request;
                orderRef = ctx.bundle.add(request);
                report.addBasedOn(orderRef);
            }
            last = request;
            specimenSource(s);
            return;
        }
        ServiceRequest request = OrderMapping.fromOrcObr(orcUsed ? null : orc, s, ctx);
        orcUsed = true;
        if (request == null) {
            ctx.warn("OBR", "order left out: no patient (PID) in the message", 0);
            return;
        }
        order = request;
        orderRef = ctx.bundle.add(request);
        last = request;
        pendingTiming.forEach(tq1 -> OrderMapping.addTq1(tq1, request, ctx));
        pendingTiming.clear();
        specimenSource(s);
    }

    /** OBR-15 (versions before SPM): the specimen of the order or report, and of the OBX that follow. */
    private void specimenSource(V2Segment s) {
        Specimen source = SpecimenMapping.fromObr15(s, orderKey(), ctx);
        if (source == null) {
            return;
        }
        if (order instanceof ServiceRequest) {
            source.addRequest(orderRef);
        }
        specimen = ctx.bundle.add(source);
        if (report != null) {
            report.addSpecimen(specimen);
        }
        if (order instanceof ServiceRequest request) {
            request.addSpecimen(specimen);
        }
    }

    private String orderKey() {
        return orc != null && !orc.get(2).isEmpty() ? orc.get(2) : obr != null ? obr.get(2) + obr.get(3) : "";
    }

    /** GT1: the guarantor as a RelatedPerson (unless the patient or an organization) and on the patient's Account. */
    private void gt1(V2Segment s) {
        Reference person = addClinical(RelatedPersonMapping.fromGt1(s, ctx));
        if (account == null) {
            account = AccountMapping.forPatient(currentPid, ctx);
            if (account == null) {
                return;
            }
            Reference ref = ctx.bundle.add(account);
            if (encounter != null) {
                encounter.addAccount(ref.copy());
            }
        }
        AccountMapping.addGuarantor(s, person, account, ctx);
    }

    private void obx(V2Segment s) {
        if (document != null) {
            DocumentMapping.addObx(s, document);
            return;
        }
        boolean results = Hl7FhirMapper.isResults(type);
        if (results && report == null) {
            // An OBX before any OBR (seen from some devices): give it a report of its own.
            report = new DiagnosticReport().setStatus(DiagnosticReport.DiagnosticReportStatus.UNKNOWN);
            report.getCode().setText("results without an order (no OBR)");
            if (ctx.subject != null) {
                report.setSubject(ctx.subject);
            }
            ctx.bundle.add(report, List.of());
        }
        Identifier parent = results ? null : parentIdentifier();
        Observation observation = ResultMapping.observation(s, obr, results ? report : null, parent,
                results ? "laboratory" : null, ctx.subject, msh.get(10), ctx);
        if (observation == null) {
            if (!results) {
                ctx.warn("OBX-5", "embedded data (ED) outside a report or document not mapped", 0);
            }
            return;
        }
        if (ctx.encounter != null) {
            observation.setEncounter(ctx.encounter);
        }
        if (specimen != null) {
            observation.setSpecimen(specimen);
        }
        Reference ref = ctx.bundle.add(observation, observation.getIdentifier());
        last = observation;
        if (results) {
            report.addResult(ref);
        } else if (problem != null && order == null && immunization == null) {
            problem.addEvidence().addDetail(ref);
        } else if (immunization != null) {
            observation.addPartOf(immunizationRef);
        } else if (order instanceof ServiceRequest request) {
            request.addSupportingInfo(ref);
        }
    }

    private Identifier parentIdentifier() {
        Resource owner = immunization != null ? immunization : order != null ? order : problem;
        if (owner == null) {
            return null;
        }
        org.hl7.fhir.r4.model.Property p = owner.getNamedProperty("identifier");
        return p == null || !p.hasValues() ? null : (Identifier) p.getValues().get(0);
    }

    private void spm(V2Segment s) {
        Specimen mapped = SpecimenMapping.fromSpm(s, orderKey(), ctx);
        if (order instanceof ServiceRequest) {
            mapped.addRequest(orderRef);
        }
        specimen = ctx.bundle.add(mapped);
        if (report != null) {
            report.addSpecimen(specimen);
        }
        if (order instanceof ServiceRequest request) {
            request.addSpecimen(specimen);
        }
        last = mapped;
    }

    private void note(V2Segment nte) {
        String text = ResultMapping.noteText(nte);
        if (text.isEmpty()) {
            return;
        }
        Annotation note = new Annotation().setText(text);
        if (last instanceof Observation o) {
            o.addNote(note);
        } else if (last instanceof ServiceRequest r) {
            r.addNote(note);
        } else if (last instanceof Condition c) {
            c.addNote(note);
        } else if (last instanceof AllergyIntolerance a) {
            a.addNote(note);
        } else if (last instanceof Procedure p) {
            p.addNote(note);
        } else if (last instanceof Immunization i) {
            i.addNote(note);
        } else if (last instanceof MedicationRequest m) {
            m.addNote(note);
        } else if (last instanceof MedicationAdministration m) {
            m.addNote(note);
        } else if (last instanceof MedicationDispense m) {
            m.addNote(note);
        } else if (last instanceof Specimen sp) {
            sp.addNote(note);
        } else if (last instanceof ChargeItem ci) {
            ci.addNote(note);
        } else if (last instanceof org.hl7.fhir.r4.model.Appointment ap) {
            ap.setComment(ap.hasComment() ? ap.getComment() + "\n" + text : text);
        }
    }

    private void prd(V2Segment prd) {
        String role = prd.get(1).toUpperCase(Locale.ROOT);
        Reference who;
        if (!prd.get(2).isEmpty() || !prd.get(2, 2).isEmpty()) {
            org.hl7.fhir.r4.model.Practitioner practitioner = new org.hl7.fhir.r4.model.Practitioner();
            var name = PatientMapping.name(prd, 2, 0);
            if (name != null) {
                practitioner.addName(name);
            }
            Identifier id = null;
            if (!prd.get(7).isEmpty()) {
                id = new Identifier().setSystem(io.carebus.api.deid.AssigningAuthorities.local(ctx.facility)).setValue(prd.get(7));
                practitioner.addIdentifier(id);
            }
            PatientMapping.telecoms(prd, 5, org.hl7.fhir.r4.model.ContactPoint.ContactPointUse.WORK).forEach(practitioner::addTelecom);
            String display = name == null ? "" : (name.getGivenAsSingleString() + " " + name.getFamily()).trim();
            who = ctx.bundle.shared(id != null ? id.getSystem() + "|" + id.getValue() : "name:" + display.toLowerCase(Locale.ROOT),
                    practitioner, id);
            if (!display.isEmpty()) {
                who.setDisplay(display);
            }
        } else {
            who = ctx.people.organization(prd, 10, 0);
        }
        if (who == null || referral == null) {
            return;
        }
        if ("RP".equals(role) || "PP".equals(role)) {
            if (!referral.hasRequester()) {
                referral.setRequester(who);
            }
        } else if ("RT".equals(role) || "CP".equals(role)) {
            referral.addPerformer(who);
        }
    }

    private void pharmacyOrder(V2Segment s) {
        if ("RXE".equals(s.name()) && order instanceof MedicationRequest existing && orcUsed) {
            // RXO then RXE in one order (RDE): the pharmacy's encoding of the same order refines it
            MedicationRequest encoded = MedicationMapping.request(s, orc, compoundFollows(), ctx);
            if (encoded != null) {
                existing.setMedication(encoded.getMedication());
                existing.setDosageInstruction(encoded.getDosageInstruction());
                existing.setDispenseRequest(encoded.getDispenseRequest());
                encoded.getIdentifier().stream().filter(i -> existing.getIdentifier().stream().noneMatch(e -> e.getValue().equals(i.getValue())))
                        .forEach(existing::addIdentifier);
            }
            return;
        }
        MedicationRequest request = MedicationMapping.request(s, orcUsed ? null : orc, compoundFollows(), ctx);
        orcUsed = true;
        if (request == null) {
            return;
        }
        order = request;
        orderRef = ctx.bundle.add(request);
        medicationTarget = request;
        last = request;
    }

    /** RXC components follow this pharmacy order segment, before the next order or dispense/give/administration. */
    private boolean compoundFollows() {
        for (int i = position + 1; i < segments.size(); i++) {
            switch (segments.get(i).name()) {
                case "RXC" -> {
                    return true;
                }
                case "ORC", "PID", "RXD", "RXG", "RXA" -> {
                    return false;
                }
                default -> { }
            }
        }
        return false;
    }

    /** RXC: an ingredient of the current pharmacy order's Medication (or of the dispense's or administration's). */
    private void rxc(V2Segment s) {
        Reference medication = medicationTarget instanceof MedicationRequest r && r.hasMedicationReference() ? r.getMedicationReference()
                : medicationTarget instanceof MedicationDispense d && d.hasMedicationReference() ? d.getMedicationReference()
                : medicationTarget instanceof MedicationAdministration a && a.hasMedicationReference() ? a.getMedicationReference()
                : null;
        if (medication == null) {
            ctx.warn("RXC", "component without a pharmacy order (RXO/RXE) before it left out", 0);
            return;
        }
        MedicationMapping.addComponent(s, (org.hl7.fhir.r4.model.Medication) ctx.bundle.resourceAt(medication), ctx);
    }

    private void rxa(V2Segment s) {
        if ("VXU".equals(type)) {
            immunization = ImmunizationMapping.fromRxa(s, orcUsed && orc == null ? null : orc, ctx);
            orcUsed = true;
            immunizationRef = addClinical(immunization);
            medicationTarget = immunization;
            return;
        }
        MedicationAdministration admin = MedicationMapping.administration(s, order instanceof MedicationRequest ? orderRef : null, orc, ctx);
        orcUsed = true;
        addClinical(admin);
        medicationTarget = admin;
    }

    private Reference addClinical(Resource resource) {
        if (resource == null) {
            return null;
        }
        last = resource;
        return ctx.bundle.add(resource);
    }

    /** An ORC no OBR, RXO/RXE or RXA followed (a cancel, a status change) still names an order. */
    private void closeOrder() {
        if (orc != null && !orcUsed && ORDER_FAMILIES.contains(type) && !"MDM".equals(type)) {
            ServiceRequest request = OrderMapping.fromOrcObr(orc, null, ctx);
            if (request != null) {
                ctx.bundle.add(request);
            }
        }
        orcUsed = true;
    }

    private void closeDocument() {
        if (document != null) {
            DocumentMapping.finish(document, txa);
            document = null;
        }
    }

    private void finish() {
        closeOrder();
        closeDocument();
        if (appointment != null) {
            AppointmentMapping.addPatient(appointment, ctx.subject);
            AppointmentMapping.finish(appointment, ctx);
        }
    }
}
