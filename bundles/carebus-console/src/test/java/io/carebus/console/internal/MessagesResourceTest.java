package io.carebus.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.security.Role;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessagesResourceTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private long adt;

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        adt = store.store(message("C1", "ADT^A01")).messageId();
        store.storeRejected(message("C2", "ORU^R01"), "203 unsupported version id");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static InboundMessage message(String controlId, String type) {
        return new InboundMessage("main", "10.1.1.1:5000", "HL7v2", type, "2.5", controlId, "REG^HOSP",
                Instant.parse("2026-11-01T10:00:00Z"), ("MSH|^~\\&|REG|HOSP|||x||" + type + "|" + controlId + "|P|2.5\rPID|1||MRN9\r")
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void listsWithFilters() {
        Map<String, String> params = Map.of("status", "ERROR");
        MessagesResource.Answer answer = MessagesResource.list(store, params::get);
        assertThat(answer.status()).isEqualTo(200);
        List<?> messages = (List<?>) ((Map<?, ?>) answer.body()).get("messages");
        assertThat(messages).singleElement().asString().contains("C2").contains("unsupported version");
    }

    @Test
    void findsAPatientsMessagesAndShowsTheirFhirForm() {
        store.attachCanonical(adt, "{\"resourceType\":\"Bundle\"}".getBytes(StandardCharsets.UTF_8), List.of("urn:oid:1.2|MRN9"));
        Map<String, String> params = Map.of("patient", "MRN9");
        List<?> messages = (List<?>) ((Map<?, ?>) MessagesResource.list(store, params::get).body()).get("messages");
        assertThat(messages).singleElement().asString().contains("C1");
        @SuppressWarnings("unchecked")
        Map<String, Object> engineer = (Map<String, Object>) MessagesResource.one(store, Long.toString(adt), Set.of(Role.ENGINEER)).body();
        assertThat(engineer.get("fhir")).asString().contains("Bundle");
    }

    @Test
    void warningsAreFilterableAndShownToEveryRoleWithoutValues() {
        long warned = store.store(message("C3", "ORU^R01"), List.of(
                new io.carebus.api.store.MessageWarning("TQ1-4", "not a valid TM: must be empty or a HL7 time string", 8))).messageId();
        Map<String, String> params = Map.of("warnings", "true");
        List<?> messages = (List<?>) ((Map<?, ?>) MessagesResource.list(store, params::get).body()).get("messages");
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(((Map<?, ?>) m).get("id")).isEqualTo(warned);
            assertThat(((Map<?, ?>) m).get("warnings")).isEqualTo(1);
        });
        Map<String, String> all = Map.of("warnings", "false");
        assertThat((List<?>) ((Map<?, ?>) MessagesResource.list(store, all::get).body()).get("messages")).hasSize(3);
        Map<String, String> bad = Map.of("warnings", "maybe");
        assertThat(MessagesResource.list(store, bad::get).status()).isEqualTo(400);

        @SuppressWarnings("unchecked")
        Map<String, Object> viewer = (Map<String, Object>) MessagesResource.one(store, Long.toString(warned), Set.of(Role.VIEWER)).body();
        assertThat((List<?>) viewer.get("warnings")).singleElement()
                .isEqualTo(Map.of("location", "TQ1-4", "problem", "not a valid TM: must be empty or a HL7 time string", "valueLength", 8));
        @SuppressWarnings("unchecked")
        Map<String, Object> clean = (Map<String, Object>) MessagesResource.one(store, Long.toString(adt), Set.of(Role.VIEWER)).body();
        assertThat((List<?>) clean.get("warnings")).isEmpty();
    }

    @Test
    void badFiltersAreA400() {
        Map<String, String> params = Map.of("status", "LOST");
        assertThat(MessagesResource.list(store, params::get).status()).isEqualTo(400);
        Map<String, String> since = Map.of("since", "yesterday");
        assertThat(MessagesResource.list(store, since::get).status()).isEqualTo(400);
    }

    @Test
    void theRawMessageIsOnlyForEngineersAndAdmins() {
        @SuppressWarnings("unchecked")
        Map<String, Object> viewer = (Map<String, Object>) MessagesResource.one(store, Long.toString(adt), Set.of(Role.VIEWER)).body();
        @SuppressWarnings("unchecked")
        Map<String, Object> engineer = (Map<String, Object>) MessagesResource.one(store, Long.toString(adt), Set.of(Role.ENGINEER)).body();

        assertThat(viewer).containsEntry("controlId", "C1").doesNotContainKey("raw").doesNotContainKey("parsed")
                .doesNotContainKey("fhir").containsKey("history");
        assertThat((String) engineer.get("raw")).contains("PID|1||MRN9");
        assertThat(engineer.get("parsed")).asString().contains("segment=PID").contains("3=MRN9").contains("9=ADT^A01");
        assertThat(engineer.get("fhir")).as("nothing mapped yet").isNull();
        assertThat(MessagesResource.one(store, "999", Set.of(Role.ADMIN)).status()).isEqualTo(404);
        assertThat(MessagesResource.one(store, "abc", Set.of(Role.ADMIN)).status()).isEqualTo(400);
    }
}
