package io.carebus.hl7.internal.fhir;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.GenericModelClassFactory;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.Bundle;

/** Parsing as the intake's canonical form does (no validation, LF or CRLF as CR), with version structures or generic ones. */
final class Samples {

    static final ZoneId ZONE = ZoneId.of("Europe/Zurich");

    private Samples() {
    }

    static HapiContext hapi(boolean generic) {
        HapiContext hapi = new DefaultHapiContext(ValidationContextFactory.noValidation());
        hapi.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        if (generic) {
            hapi.setModelClassFactory(new GenericModelClassFactory());
        }
        return hapi;
    }

    static String text(String resource) {
        try (InputStream in = Samples.class.getResourceAsStream("/mapping/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Message parse(HapiContext hapi, String text) throws ca.uhn.hl7v2.HL7Exception {
        String cr = text.replace("\r\n", "\n").replace('\n', '\r').replaceAll("\r+$", "");
        return hapi.getPipeParser().parse(cr);
    }

    static Map<String, Integer> counts(Bundle bundle) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
            counts.merge(e.getResource().fhirType(), 1, Integer::sum);
        }
        return counts;
    }

    static List<String> names() {
        return List.copyOf(expected().keySet());
    }

    static Map<String, List<String>> expected() {
        java.util.Properties p = new java.util.Properties();
        try (InputStream in = Samples.class.getResourceAsStream("/mapping/expected-resources.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, List<String>> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, List.of(((String) v).split(","))));
        return out;
    }
}
