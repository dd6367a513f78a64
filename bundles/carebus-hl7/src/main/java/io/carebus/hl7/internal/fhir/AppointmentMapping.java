package io.carebus.hl7.internal.fhir;

import java.math.BigDecimal;
import java.util.Locale;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;

/**
 * SIU SCH + AIS/AIG/AIL/AIP to Appointment (IG "SCH[Appointment]", "AIS/AIG/AIL/AIP[Appointment.participant]"). The
 * start comes from SCH-11 (TQ start), else from the first resource segment (AIS-4, AIL-6, AIP-6, AIG-8); the end from
 * SCH-11's end, else start + duration (SCH-9/10, AIS-7/8). Senders that shift SCH by a field leave SCH-11 without a
 * time; the resource segments then still give it. FHIR allows an appointment without times only while proposed,
 * waitlisted or cancelled: a booked one whose time is unknown is mapped as proposed, with a warning.
 */
final class AppointmentMapping {

    private AppointmentMapping() {
    }

    /** SCH and what the resource segments add until {@link #finish}. */
    static final class Draft {
        final Appointment appointment;
        DateTimeType start;
        DateTimeType end;
        BigDecimal minutes;

        Draft(Appointment appointment) {
            this.appointment = appointment;
        }
    }

    static Draft fromSch(V2Segment sch, String trigger, MappingContext ctx) {
        Appointment appointment = new Appointment();
        Identifier filler = V2Types.ei(sch, 2, ctx.facility, "FILL");
        Identifier placer = V2Types.ei(sch, 1, ctx.facility, "PLAC");
        if (filler != null) {
            appointment.addIdentifier(filler);
        }
        if (placer != null) {
            appointment.addIdentifier(placer);
        }
        appointment.setStatus(Appointment.AppointmentStatus.fromCode(status(sch.get(25, 2).isEmpty() ? sch.get(25) : sch.get(25), trigger)));
        if (!sch.get(7).isEmpty() || !sch.get(7, 2).isEmpty()) {
            appointment.addReasonCode(V2Types.concept(sch, 7, 0));
        }
        if (!sch.get(8).isEmpty() || !sch.get(8, 2).isEmpty()) {
            appointment.setAppointmentType(V2Types.concept(sch, 8, 0, "HL70277", null));
        }
        Draft draft = new Draft(appointment);
        draft.start = ctx.dateTime(sch, 11, 0, 4).orElse(null);
        draft.end = ctx.dateTime(sch, 11, 0, 5).orElse(null);
        if (isMinutes(sch.get(10))) {
            draft.minutes = ctx.decimal(sch, 9).orElse(null);
        }
        for (int field : new int[] {16, 12}) {
            Reference contact = ctx.people.practitioner(sch, field, 0);
            if (contact != null) {
                participant(appointment, contact, null);
                break;
            }
        }
        return draft;
    }

    static void addPatient(Draft draft, Reference patient) {
        if (patient != null && draft.appointment.getParticipant().stream()
                .noneMatch(p -> patient.getReference().equals(p.getActor().getReference()))) {
            participant(draft.appointment, patient, null);
        }
    }

    /** AIS (service), AIG (general resource), AIL (location), AIP (personnel). */
    static void addResource(V2Segment s, Draft draft, MappingContext ctx) {
        switch (s.name()) {
            case "AIS" -> {
                if (!s.get(3).isEmpty() || !s.get(3, 2).isEmpty()) {
                    draft.appointment.addServiceType(V2Types.concept(s, 3, 0));
                }
                time(s, 4, 7, 8, draft, ctx);
            }
            case "AIG" -> {
                String name = s.get(3, 2).isEmpty() ? s.get(3) : s.get(3, 2);
                if (!name.isEmpty()) {
                    participant(draft.appointment, new Reference().setDisplay(name), s.get(4, 2).isEmpty() ? s.get(4) : s.get(4, 2));
                }
                time(s, 8, 11, 12, draft, ctx);
            }
            case "AIL" -> {
                Reference location = ctx.people.location(s, 3, 0);
                if (location != null) {
                    participant(draft.appointment, location, null);
                }
                time(s, 6, 9, 10, draft, ctx);
            }
            case "AIP" -> {
                for (Reference who : ctx.people.practitioners(s, 3)) {
                    participant(draft.appointment, who, s.get(4, 2).isEmpty() ? s.get(4) : s.get(4, 2));
                }
                time(s, 6, 9, 10, draft, ctx);
            }
            default -> { }
        }
    }

    static void finish(Draft draft, MappingContext ctx) {
        Appointment appointment = draft.appointment;
        if (draft.start != null && draft.end == null && draft.minutes != null && draft.start.getValueAsString().length() > 10) {
            java.time.OffsetDateTime start = java.time.OffsetDateTime.parse(draft.start.getValueAsString());
            draft.end = new DateTimeType(start.plusSeconds(draft.minutes.multiply(BigDecimal.valueOf(60)).longValue())
                    .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx")));
        }
        if (draft.minutes != null && draft.minutes.signum() > 0 && draft.minutes.scale() <= 0) {
            appointment.setMinutesDuration(draft.minutes.intValueExact());
        }
        if (draft.start != null && draft.end != null && draft.start.getValueAsString().length() > 16 && draft.end.getValueAsString().length() > 16) {
            appointment.setStartElement(new InstantType(draft.start.getValueAsString()));
            appointment.setEndElement(new InstantType(draft.end.getValueAsString()));
        } else {
            Appointment.AppointmentStatus status = appointment.getStatus();
            if (status != Appointment.AppointmentStatus.PROPOSED && status != Appointment.AppointmentStatus.CANCELLED
                    && status != Appointment.AppointmentStatus.WAITLIST) {
                ctx.warn("SCH-11", "no start and end time with seconds; mapped with status proposed", 0);
                appointment.setStatus(Appointment.AppointmentStatus.PROPOSED);
            }
            if (draft.start != null) {
                appointment.addRequestedPeriod().setStartElement(draft.start).setEndElement(draft.end);
            }
        }
        if (appointment.getParticipant().isEmpty()) {
            participant(appointment, new Reference().setDisplay("unknown (no patient or resource in the message)"), null);
        }
    }

    private static void time(V2Segment s, int startField, int durationField, int unitField, Draft draft, MappingContext ctx) {
        if (draft.start == null) {
            draft.start = ctx.dateTime(s, startField).orElse(null);
        }
        if (draft.minutes == null && isMinutes(s.get(unitField))) {
            draft.minutes = ctx.decimal(s, durationField).orElse(null);
        }
    }

    private static boolean isMinutes(String unit) {
        String u = unit.toUpperCase(Locale.ROOT);
        return u.isEmpty() || u.equals("MIN") || u.equals("M") || u.startsWith("MIN");
    }

    private static void participant(Appointment appointment, Reference actor, String type) {
        if (actor.hasReference() && appointment.getParticipant().stream()
                .anyMatch(p -> actor.getReference().equals(p.getActor().getReference()))) {
            return;
        }
        Appointment.AppointmentParticipantComponent p = appointment.addParticipant().setActor(actor)
                .setStatus(Appointment.ParticipationStatus.ACCEPTED);
        if (type != null && !type.isEmpty()) {
            p.addType().setText(type);
        }
    }

    private static String status(String fillerStatus, String trigger) {
        switch (fillerStatus.toUpperCase(Locale.ROOT)) {
            case "BOOKED", "OVERBOOK", "BLOCKED" -> { return "booked"; }
            case "PENDING" -> { return "pending"; }
            case "WAITLIST" -> { return "waitlist"; }
            case "CANCELLED", "CANCELED", "DC", "DELETED" -> { return "cancelled"; }
            case "COMPLETE" -> { return "fulfilled"; }
            case "STARTED" -> { return "arrived"; }
            case "NOSHOW" -> { return "noshow"; }
            default -> { }
        }
        return switch (trigger) {
            case "S15", "S16", "S17" -> "cancelled";
            case "S26" -> "noshow";
            default -> "booked";
        };
    }
}
