package io.carebus.hl7.internal;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.Version;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.parser.DefaultModelClassFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAPI's model classes, looked up the way real senders need:
 * <ul>
 *   <li>a data type the message's version does not define (CE in OBX-2 of a v2.8 message: withdrawn in 2.7, still
 *       sent) is taken from the nearest version that defines it, older versions first, instead of failing the parse;</li>
 *   <li>an explicit MSH-9-3 structure the version does not have ({@code ADT^A04^ADT_A04}: A04 uses ADT_A01) is looked
 *       up by message type and trigger event, as when MSH-9-3 is empty; only when that fails too does HAPI's
 *       {@link GenericMessage} take the message (segments without groups).</li>
 * </ul>
 * Lookups are cached: HAPI tries {@code Class.forName} (a thrown exception) for every Z-segment of every message.
 */
final class LenientModelClassFactory extends DefaultModelClassFactory {

    private static final long serialVersionUID = 1L;

    private final Map<String, Optional<Class<?>>> cache = new ConcurrentHashMap<>();

    @Override
    public Class<? extends Message> getMessageClass(String name, String version, boolean isExplicit) throws HL7Exception {
        Class<? extends Message> found = cached("message|" + name + "|" + version + "|" + isExplicit,
                () -> super.getMessageClass(name, version, isExplicit));
        if (isExplicit && found != null && GenericMessage.class.isAssignableFrom(found)) {
            return getMessageClass(name, version, false);
        }
        return found;
    }

    @Override
    public Class<? extends Group> getGroupClass(String name, String version) throws HL7Exception {
        return cached("group|" + name + "|" + version, () -> super.getGroupClass(name, version));
    }

    @Override
    public Class<? extends Segment> getSegmentClass(String name, String version) throws HL7Exception {
        return cached("segment|" + name + "|" + version, () -> super.getSegmentClass(name, version));
    }

    @Override
    public Class<? extends Type> getTypeClass(String name, String version) throws HL7Exception {
        Class<? extends Type> own = definedIn(name, version);
        if (own != null) {
            return own;
        }
        Optional<String> other = versionDefining(name, version);
        return other.isPresent() ? definedIn(name, other.get()) : null;
    }

    /**
     * The version whose data type {@code name} stands in for one {@code version} does not define: the nearest one,
     * older first (a withdrawn type was last defined before); empty when no version defines it, or when
     * {@code version} itself does.
     */
    Optional<String> versionDefining(String name, String version) throws HL7Exception {
        if (name == null || name.isEmpty() || !Version.supportsVersion(version) || definedIn(name, version) != null) {
            return Optional.empty();
        }
        Version own = Version.versionOf(version);
        List<Version> others = new ArrayList<>(List.of(Version.values()));
        others.remove(own);
        others.sort(Comparator.comparingInt((Version v) -> Math.abs(v.ordinal() - own.ordinal()))
                .thenComparing(v -> v.ordinal() > own.ordinal()));
        for (Version v : others) {
            if (v.available() && definedIn(name, v.getVersion()) != null) {
                return Optional.of(v.getVersion());
            }
        }
        return Optional.empty();
    }

    /** Whether the version's own structures define the data type. */
    boolean defines(String name, String version) throws HL7Exception {
        return definedIn(name, version) != null;
    }

    private Class<? extends Type> definedIn(String name, String version) throws HL7Exception {
        return cached("datatype|" + name + "|" + version, () -> super.getTypeClass(name, version));
    }

    private interface Lookup<T> {
        Class<? extends T> find() throws HL7Exception;
    }

    @SuppressWarnings("unchecked")
    private <T> Class<? extends T> cached(String key, Lookup<T> lookup) throws HL7Exception {
        Optional<Class<?>> hit = cache.get(key);
        if (hit == null) {
            // a sender cannot grow this without bound: names come from the message, so only names that are real
            // model classes, or at most a few thousand misses, are remembered
            hit = Optional.ofNullable(lookup.find());
            if (hit.isPresent() || cache.size() < 4096) {
                cache.put(key, hit);
            }
        }
        return (Class<? extends T>) hit.orElse(null);
    }
}
