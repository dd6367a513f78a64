package io.carebus.camel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route steps that leave the engine are audited by themselves; carebus-audit: records a custom step. */
class RouteAuditingTest {

    @TempDir
    Path dir;

    private final List<AuditRecord> records = new CopyOnWriteArrayList<>();
    private final AuditTrail trail = record -> {
        records.add(record);
        return records.size();
    };
    private DefaultCamelContext camel;

    @BeforeEach
    void start() throws Exception {
        RouteAuditing auditing = new RouteAuditing(() -> trail);
        camel = new DefaultCamelContext();
        camel.getManagementStrategy().addEventNotifier(new AuditingEventNotifier(auditing));
        camel.addComponent("carebus-audit", new AuditStepComponent(auditing));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").routeId("lab-out")
                        .to("log:io.carebus.test?level=DEBUG")
                        .to("file:" + dir + "?fileName=out.txt")
                        .to("carebus-audit:export?detail=copied to the research archive");
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void emitsAndExplicitStepsAreRecordedPlumbingIsNot() {
        camel.createProducerTemplate().sendBodyAndHeader("direct:in", "MSH|^~\\&|result", "CareBusMessageId", 42L);

        assertThat(records).extracting(AuditRecord::action).containsExactly(AuditAction.EMIT, AuditAction.EXPORT);
        AuditRecord emit = records.get(0);
        assertThat(emit.routeId()).isEqualTo("lab-out");
        assertThat(emit.actor()).isEqualTo("route:lab-out");
        assertThat(emit.entities()).containsExactly("message/42");
        assertThat(emit.detail()).startsWith("file://").doesNotContain("fileName");
        assertThat(emit.inputHash()).isNotNull();
        assertThat(emit.outcome()).isEqualTo(AuditRecord.Outcome.SUCCESS);
        assertThat(records.get(1).detail()).isEqualTo("copied to the research archive");
    }

    @Test
    void anUnknownActionIsRefusedWhenTheRouteIsBuilt() {
        assertThatThrownBy(() -> camel.getEndpoint("carebus-audit:teleport")).hasStackTraceContaining("names no audit action");
    }

    @Test
    void carebusStepsAreNamedByTheirPath() {
        assertThat(RouteAuditing.actionFor(camel.getEndpoint("direct:x"))).isNull();
        assertThat(RouteAuditing.actionFor(camel.getEndpoint("file:" + dir))).isEqualTo(AuditAction.EMIT);
    }
}
