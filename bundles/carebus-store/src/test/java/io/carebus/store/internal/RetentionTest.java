package io.carebus.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir
    Path dir;

    private static InboundMessage message(String controlId, Instant at) {
        return new InboundMessage("main", "peer", "HL7v2", "ADT^A01", "2.5", controlId, "REG^HOSP", at,
                ("MSH|^~\\&|REG|HOSP|||x||ADT^A01|" + controlId + "|P|2.5\r").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void oldProcessedBodiesAreArchivedThenPrunedAndEverythingElseIsKept() throws Exception {
        DataSource ds = StoreFactory.create(StoreFactory.embeddedH2Url(dir.resolve("store")), "", "");
        StoreFactory.migrate(ds);
        Instant now = Instant.parse("2026-11-28T00:00:00Z");
        try (JdbcMessageStore store = new JdbcMessageStore(ds, true, Duration.ZERO, 8, Clock.systemUTC())) {
            long oldDone = store.store(message("OLD-DONE", now.minus(Duration.ofDays(40)))).messageId();
            long oldOpen = store.store(message("OLD-OPEN", now.minus(Duration.ofDays(40)))).messageId();
            long newDone = store.store(message("NEW-DONE", now.minus(Duration.ofDays(2)))).messageId();
            store.complete(List.of(new io.carebus.api.store.Completion(oldDone, MessageStatus.PROCESSED, "done", "{\"old\":1}".getBytes(StandardCharsets.UTF_8), List.of("s|MRN"))));
            store.complete(List.of(new io.carebus.api.store.Completion(newDone, MessageStatus.PROCESSED, "done", "{\"new\":1}".getBytes(StandardCharsets.UTF_8), List.of("s|MRN"))));

            Path archive = dir.resolve("archive");
            int pruned = new Retention(ds, archive, Clock.fixed(now, java.time.ZoneOffset.UTC)).pruneBefore(now.minus(Duration.ofDays(30)));

            assertThat(pruned).isEqualTo(1);
            assertThat(store.find(oldDone).orElseThrow().message().payload()).isEmpty();
            assertThat(store.canonical(oldDone)).as("its FHIR form is PHI too").isEmpty();
            assertThat(store.canonical(newDone)).isPresent();
            assertThat(store.find(oldDone).orElseThrow().message().controlId()).as("metadata kept").isEqualTo("OLD-DONE");
            assertThat(store.history(oldDone)).isNotEmpty();
            assertThat(store.find(oldOpen).orElseThrow().message().payload()).as("unfinished: kept").isNotEmpty();
            assertThat(store.find(newDone).orElseThrow().message().payload()).as("recent: kept").isNotEmpty();

            List<Path> zips;
            try (var files = Files.list(archive)) {
                zips = files.toList();
            }
            assertThat(zips).singleElement();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(zips.get(0)))).isEqualTo("rw-------");
            List<String> entries = new ArrayList<>();
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(zips.get(0)))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    entries.add(e.getName() + ":" + new String(zip.readAllBytes(), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(entries).singleElement().asString().startsWith(oldDone + ".msg:MSH|").contains("OLD-DONE");

            assertThat(new Retention(ds, archive, Clock.systemUTC()).pruneBefore(now.minus(Duration.ofDays(30))))
                    .as("nothing left to prune, no empty archive").isZero();
            try (var files = Files.list(archive)) {
                assertThat(files).hasSize(1);
            }
        }
    }
}
