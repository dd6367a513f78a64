package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.XmlDeclarations;
import io.carebus.deid.PseudonymDomain;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The try-it ({@code POST /api/deid}) and the route step refuse XML with a DTD, as the FHIR intake does (issue 20). */
class DeidXmlTest {

    @TempDir
    Path dir;
    private DeidService deid;
    private Path secretFile;

    @BeforeEach
    void setUp() throws Exception {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        Vault vault = new Vault(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), "k1",
                Map.of("k1", secret), Clock.systemUTC());
        deid = new DeidService(new PseudonymDomain("k1", secret, 365), vault, Set.of(), dir.resolve("profiles"));
        secretFile = Files.writeString(dir.resolve("secret.txt"), "Leaky McLeakface");
    }

    private String xxe() {
        return "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY x SYSTEM \"" + secretFile.toUri() + "\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&x;\"/></name></Patient>";
    }

    @Test
    void theTryItRefusesXmlWithADoctypeBeforeParsingIt() {
        for (String type : new String[] {"application/fhir+xml", "application/xml; charset=UTF-8"}) {
            assertThatThrownBy(() -> deid.deidentify(type, xxe().getBytes(StandardCharsets.UTF_8), null, "engineer1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(XmlDeclarations.REFUSAL);
        }
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&lol2;\"/></name></Patient>";
        assertThatThrownBy(() -> deid.deidentify("application/fhir+xml", bomb.getBytes(StandardCharsets.UTF_8), null, "engineer1"))
                .hasMessage(XmlDeclarations.REFUSAL);
    }

    @Test
    void theRouteStepRefusesItToo() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setBody(xxe());
        assertThatThrownBy(() -> new DeidStep(deid).process(exchange, Map.of())).hasMessage(XmlDeclarations.REFUSAL);
    }

    @Test
    void fhirXmlWithoutADtdIsStillDeidentified() {
        String patient = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Patient xmlns=\"http://hl7.org/fhir\">"
                + "<identifier><system value=\"urn:mrn\"/><value value=\"MRN4711\"/></identifier>"
                + "<name><family value=\"Leaky\"/><given value=\"Anna\"/></name></Patient>";
        String out = new String(deid.deidentify("application/fhir+xml", patient.getBytes(StandardCharsets.UTF_8), null, "engineer1"),
                StandardCharsets.UTF_8);
        assertThat(out).startsWith("<Patient").doesNotContain("Leaky").doesNotContain("MRN4711");
    }
}
