package io.carebus.hl7.internal.fhir;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;

/**
 * The people and places segments name, as resources of their own, once per Bundle (v2-to-FHIR IG data type maps
 * XCN[Practitioner], XON[Organization], PL[Location]): the first mention adds the resource, later mentions of the same
 * identifier reuse it. A practitioner without an id is matched by name within the Bundle only, and POSTed.
 */
final class People {

    private final MappingContext ctx;

    People(MappingContext ctx) {
        this.ctx = ctx;
    }

    /** XCN (id^family^given^middle^suffix^prefix^degree^^authority): a Practitioner, with the name as display. */
    Reference practitioner(V2Segment s, int field, int rep) {
        String id = s.get(field, rep, 1, 1);
        String family = s.get(field, rep, 2, 1);
        String given = s.get(field, rep, 3, 1);
        if (id.isEmpty() && family.isEmpty() && given.isEmpty()) {
            return null;
        }
        Practitioner practitioner = new Practitioner();
        Identifier identifier = null;
        if (!id.isEmpty()) {
            String system = V2Types.system(s.get(field, rep, 9, 1), s.get(field, rep, 9, 2), s.get(field, rep, 9, 3));
            identifier = new Identifier().setSystem(system != null ? system
                    : V2Codes.LOCAL_PREFIX + "id:" + V2Types.uriSafe(ctx.facility)).setValue(id);
            String type = s.get(field, rep, 13, 1);
            if (!type.isEmpty()) {
                identifier.getType().addCoding().setSystem(V2Codes.tableSystem("0203", type)).setCode(type);
            }
            practitioner.addIdentifier(identifier);
        }
        HumanName name = new HumanName();
        if (!family.isEmpty()) {
            name.setFamily(family);
        }
        for (String g : new String[] {given, s.get(field, rep, 4, 1)}) {
            if (!g.isEmpty()) {
                name.addGiven(g);
            }
        }
        if (!s.get(field, rep, 5, 1).isEmpty()) {
            name.addSuffix(s.get(field, rep, 5, 1));
        }
        if (!s.get(field, rep, 6, 1).isEmpty()) {
            name.addPrefix(s.get(field, rep, 6, 1));
        }
        if (!name.isEmpty()) {
            practitioner.addName(name);
        }
        String display = (given + " " + family).trim();
        String key = identifier != null ? identifier.getSystem() + "|" + identifier.getValue() : "name:" + display.toLowerCase(Locale.ROOT);
        Reference reference = ctx.bundle.shared(key, practitioner, identifier);
        if (!display.isEmpty()) {
            reference.setDisplay(display);
        }
        return reference;
    }

    /** Every repetition of an XCN field. */
    List<Reference> practitioners(V2Segment s, int field) {
        List<Reference> out = new ArrayList<>();
        for (int rep = 0; rep < s.repetitions(field); rep++) {
            Reference r = practitioner(s, field, rep);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * XON (name^type^id^check digit^scheme^authority^id type^facility^representation^identifier): an Organization.
     * Without an id it is identified by its name under the sending facility, so a payor named the same way in every
     * message stays one resource.
     */
    Reference organization(V2Segment s, int field, int rep) {
        String name = s.get(field, rep, 1, 1);
        String id = s.get(field, rep, 10, 1).isEmpty() ? s.get(field, rep, 3, 1) : s.get(field, rep, 10, 1);
        if (name.isEmpty() && id.isEmpty()) {
            return null;
        }
        String system = V2Types.system(s.get(field, rep, 6, 1), s.get(field, rep, 6, 2), s.get(field, rep, 6, 3));
        return organization(name, id, system);
    }

    /** An Organization by name and (optional) id; the id's system falls back to the sending facility. */
    Reference organization(String name, String id, String system) {
        Organization organization = new Organization();
        Identifier identifier = new Identifier()
                .setSystem(system != null ? system : io.carebus.api.deid.AssigningAuthorities.local(ctx.facility) + ":org")
                .setValue(!id.isEmpty() ? id : V2Types.uriSafe(name));
        organization.addIdentifier(identifier);
        if (!name.isEmpty()) {
            organization.setName(name);
        }
        Reference reference = ctx.bundle.shared(identifier.getSystem() + "|" + identifier.getValue(), organization, identifier);
        if (!name.isEmpty()) {
            reference.setDisplay(name);
        }
        return reference;
    }

    /**
     * PL (point of care^room^bed^facility^status^type^building^floor^description): one Location for the most specific
     * place given (bed, else room, else ward), identified by its path under the facility.
     */
    Reference location(V2Segment s, int field, int rep) {
        String ward = s.get(field, rep, 1, 1);
        String room = s.get(field, rep, 2, 1);
        String bed = s.get(field, rep, 3, 1);
        String facility = s.get(field, rep, 4, 1);
        String building = s.get(field, rep, 7, 1);
        String floor = s.get(field, rep, 8, 1);
        String description = s.get(field, rep, 9, 1);
        List<String> path = new ArrayList<>();
        for (String part : new String[] {facility, building, floor, ward, room, bed}) {
            if (!part.isEmpty()) {
                path.add(part);
            }
        }
        if (path.isEmpty() && description.isEmpty()) {
            return null;
        }
        Location location = new Location().setStatus(Location.LocationStatus.ACTIVE).setMode(Location.LocationMode.INSTANCE);
        String display = String.join(" ", java.util.stream.Stream.of(facility, ward, room, bed).filter(p -> !p.isEmpty()).toList());
        location.setName(display.isEmpty() ? description : display);
        if (!description.isEmpty()) {
            location.setDescription(description);
        }
        String physical = !bed.isEmpty() ? "bd" : !room.isEmpty() ? "ro" : !ward.isEmpty() ? "wa" : !floor.isEmpty() ? "lvl"
                : !building.isEmpty() ? "bu" : "si";
        location.getPhysicalType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/location-physical-type").setCode(physical);
        // under a local name only (an OID or URI system cannot take a suffix), so the same ward stays one Location
        Identifier identifier = new Identifier()
                .setSystem(io.carebus.api.deid.AssigningAuthorities.local(facility.isEmpty() ? ctx.facility : facility) + ":location")
                .setValue(path.isEmpty() ? V2Types.uriSafe(description) : String.join("/", path));
        location.addIdentifier(identifier);
        Reference reference = ctx.bundle.shared(identifier.getSystem() + "|" + identifier.getValue(), location, identifier);
        return reference.setDisplay(display.isEmpty() ? description : display);
    }

    /**
     * NDL (OBR-32..35: name^start^end^point of care^...), whose first component is a CNN with the person in
     * subcomponents (id&family&given&middle&suffix&prefix&degree&table&authority).
     */
    Reference interpreter(V2Segment s, int field) {
        String id = s.get(field, 0, 1, 1);
        String family = s.get(field, 0, 1, 2);
        String given = s.get(field, 0, 1, 3);
        if (id.isEmpty() && family.isEmpty() && given.isEmpty()) {
            return null;
        }
        Practitioner practitioner = new Practitioner();
        Identifier identifier = null;
        if (!id.isEmpty()) {
            String system = V2Types.system(s.get(field, 0, 1, 9), s.get(field, 0, 1, 10), s.get(field, 0, 1, 11));
            identifier = new Identifier().setSystem(system != null ? system
                    : V2Codes.LOCAL_PREFIX + "id:" + V2Types.uriSafe(ctx.facility)).setValue(id);
            practitioner.addIdentifier(identifier);
        }
        if (!family.isEmpty() || !given.isEmpty()) {
            HumanName name = practitioner.addName();
            if (!family.isEmpty()) {
                name.setFamily(family);
            }
            if (!given.isEmpty()) {
                name.addGiven(given);
            }
        }
        String display = (given + " " + family).trim();
        String key = identifier != null ? identifier.getSystem() + "|" + identifier.getValue() : "name:" + display.toLowerCase(Locale.ROOT);
        Reference reference = ctx.bundle.shared(key, practitioner, identifier);
        return display.isEmpty() ? reference : reference.setDisplay(display);
    }
}
