package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.deid.PatientIdentifier;
import io.carebus.deid.Hl7Deidentifier;
import io.carebus.deid.PseudonymDomain;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every vault lookup is audited as REIDENTIFY: who asked and which pseudonym, never the identifier it resolved to. */
class ReidentifyAuditTest {

    @TempDir
    Path dir;

    @Test
    void aVaultLookupIsAuditedAsReidentifyWithoutTheIdentifier() throws Exception {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        PseudonymDomain domain = new PseudonymDomain("k1", secret, 365);
        Vault vault = new Vault(StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", ""), "k1", Map.of("k1", secret),
                Clock.systemUTC());
        DeidService deid = new DeidService(domain, vault, Set.of(), dir.resolve("profiles"));
        List<AuditRecord> trail = new CopyOnWriteArrayList<>();
        deid.audit = new AuditTrail() {
            @Override
            public long append(AuditRecord record) {
                trail.add(record);
                return trail.size();
            }
        };
        Hl7Deidentifier.Result result = deid.deidentifyHl7(String.join("\r",
                "MSH|^~\\&|EPIC|GENHOSP|CAREBUS|CAREBUS|20261127101500||ADT^A01^ADT_A01|C1|P|2.5.1",
                "EVN|A01|20261127101500",
                "PID|1||MRN-775533^^^GENHOSP^MR||Doe^Jane||19700101|F"), "safe-harbor", "router");
        String pseudonym = result.pseudonym();
        trail.clear();

        assertThat(deid.reidentify(pseudonym, "clinician-7")).map(PatientIdentifier::value).contains("MRN-775533");
        assertThat(deid.reidentify("Pk1-unknown", "clinician-7")).isEmpty();

        assertThat(trail).hasSize(2);
        assertThat(trail).allSatisfy(r -> {
            assertThat(r.action()).isEqualTo(AuditAction.REIDENTIFY);
            assertThat(r.actor()).isEqualTo("clinician-7");
            assertThat(r.toString()).doesNotContain("MRN-775533");
        });
        assertThat(trail.get(0).entities()).containsExactly("patient/" + pseudonym);
        assertThat(trail.get(0).detail()).isEqualTo("re-identified");
        assertThat(trail.get(1).entities()).containsExactly("patient/Pk1-unknown");
        assertThat(trail.get(1).detail()).isEqualTo("unknown pseudonym");
    }
}
