package io.carebus.fhir.internal;

import io.carebus.api.outbox.Outbox;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.fhir.ResultResources;
import io.carebus.api.store.EngineDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The outbox in the engine's one database ({@link EngineDatabase}, configured in etc/io.carebus.store.cfg) and the
 * engine's result conventions (its identifier system), shared by the routes' steps, the EHR senders and the local /fhir.
 */
@Component(service = {Outbox.class, OutboxComponent.class}, configurationPid = "io.carebus.fhir")
@Designate(ocd = FhirConfig.class)
public class OutboxComponent implements Outbox {

    private final JdbcOutbox outbox;
    private final ResultResources results;
    private final javax.sql.DataSource dataSource;

    @Activate
    public OutboxComponent(FhirConfig config, @Reference EngineDatabase database) {
        // The store's pool: the undelivered results are in the database the operator backs up.
        this.dataSource = database.dataSource();
        // On PostgreSQL several appliances may share the outbox: a claimed entry stays with its sender for a lease.
        this.outbox = new JdbcOutbox(dataSource, Clock.systemUTC(),
                database.kind() == EngineDatabase.Kind.POSTGRESQL ? JdbcOutbox.SHARED_DATABASE_LEASE_MILLIS : 0);
        this.results = config.identifier_system().isBlank() ? ResultResources.forNode(config.node_id())
                : new ResultResources(config.identifier_system().strip());
    }

    OutboxComponent(JdbcOutbox outbox, ResultResources results) {
        this(outbox, results, null);
    }

    OutboxComponent(JdbcOutbox outbox, ResultResources results, javax.sql.DataSource dataSource) {
        this.outbox = outbox;
        this.results = results;
        this.dataSource = dataSource;
    }

    JdbcOutbox outbox() {
        return outbox;
    }

    ResultResources results() {
        return results;
    }

    /** The engine database the outbox is in: steps that keep their own tables there use it rather than another pool. */
    javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public List<OutboxEntry> list(OutboxStatus status, String ehr, int limit) {
        return outbox.list(status, ehr, limit);
    }

    @Override
    public Optional<OutboxEntry> find(long id) {
        return outbox.find(id);
    }

    @Override
    public boolean retry(long id, String requestedBy) {
        return outbox.retry(id, requestedBy);
    }
}
