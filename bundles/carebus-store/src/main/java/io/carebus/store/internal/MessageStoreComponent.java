package io.carebus.store.internal;

import io.carebus.api.store.MessageStore;
import java.nio.file.Path;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the configured database (embedded H2 by default, PostgreSQL when {@code jdbc.url} names one), brings its
 * schema up to date with Flyway, and registers the {@link MessageStore} service.
 */
@Component(immediate = true, service = {}, configurationPid = "io.carebus.store")
@Designate(ocd = StoreConfig.class)
public class MessageStoreComponent {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStoreComponent.class);

    private final JdbcMessageStore store;
    private final ServiceRegistration<MessageStore> registration;

    @Activate
    public MessageStoreComponent(BundleContext context, StoreConfig config) {
        String url = config.jdbc_url().isBlank()
                ? StoreFactory.embeddedH2Url(Path.of(System.getProperty("karaf.data", "data"), "carebus", "store"))
                : config.jdbc_url();
        String password = config.jdbc_password().isBlank() ? System.getenv().getOrDefault("CAREBUS_STORE_PASSWORD", "")
                : config.jdbc_password();
        store = StoreFactory.open(url, config.jdbc_user(), password, Duration.ofMinutes(config.duplicate_window_minutes()),
                config.group_commit_max_batch());
        registration = context.registerService(MessageStore.class, store, null);
        LOG.info("Message store open: {}", StoreFactory.describe(url));
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        store.close();
    }
}
