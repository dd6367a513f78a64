package io.carebus.security.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's one record of failed logins: the {@link LoginThrottle} that locks accounts and addresses, and the
 * {@link FailedLoginAudit} that turns failures into at most one audit record (and one log line) per address per
 * period. Fed by {@link ThrottlingLoginModule}, i.e. by every login to the throttled JAAS realm: HTTP and SSH.
 */
@Component(service = LoginGuard.class, configurationPid = "io.carebus.security")
@Designate(ocd = SecurityConfig.class)
public class LoginGuard {

    private static final Logger LOG = LoggerFactory.getLogger(LoginGuard.class);

    private final LoginThrottle throttle;
    private final FailedLoginAudit audit;
    private final ScheduledExecutorService flusher;
    private volatile SecurityConfig config;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile AuditTrail auditTrail;

    @Activate
    public LoginGuard(SecurityConfig config) {
        this.config = config;
        this.throttle = new LoginThrottle(settings(config), Clock.systemUTC());
        this.audit = new FailedLoginAudit(Clock.systemUTC(), Duration.ofSeconds(Math.max(1, config.audit_failures_period_seconds())),
                10_000, this::record);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "carebus-login-audit");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, 5, 5, TimeUnit.SECONDS);
    }

    @Modified
    void modified(SecurityConfig config) {
        this.config = config;
        throttle.reconfigure(settings(config));
    }

    @Deactivate
    void deactivate() {
        flusher.shutdownNow();
        audit.flush(true);
    }

    static LoginThrottle.Settings settings(SecurityConfig c) {
        return new LoginThrottle.Settings(c.lockout_account_failures(), c.lockout_address_failures(),
                Duration.ofSeconds(Math.max(1, c.lockout_window_seconds())), Duration.ofSeconds(Math.max(0, c.lockout_seconds())),
                Math.max(16, c.lockout_max_tracked()));
    }

    SecurityConfig config() {
        return config;
    }

    LoginThrottle throttle() {
        return throttle;
    }

    void succeeded(String account, String address) {
        throttle.succeeded(account);
    }

    /** {@code refused}: refused while locked, so audited but not counted towards a further lock. */
    void failed(String account, String address, boolean refused) {
        if (!refused) {
            throttle.failed(account, address);
        }
        audit.failed(account, address);
    }

    private void flushQuietly() {
        try {
            audit.flush(false);
        } catch (RuntimeException e) {
            LOG.error("Failed-login audit flush: {}", e.toString());
        }
    }

    private void record(FailedLoginAudit.Summary s) {
        String detail = s.count() + " failed login(s) from " + s.address() + " between " + s.from() + " and " + s.to()
                + ", accounts tried: " + String.join(", ", s.accounts())
                + (s.accounts().size() >= FailedLoginAudit.MAX_ACCOUNTS ? ", ..." : "");
        LOG.warn("{}", detail);
        AuditTrail trail = auditTrail;
        if (trail == null) {
            return;
        }
        try {
            trail.append(new AuditRecord(Instant.now(), trail.nodeId(), "unauthenticated",
                    FailedLoginAudit.OTHER_ADDRESSES.equals(s.address()) ? null : s.address(), AuditAction.LOGIN_FAILURE,
                    AuditRecord.Outcome.MINOR_FAILURE, List.of(), null, null, null, null, detail));
        } catch (RuntimeException e) {
            LOG.error("Audit record of failed logins not stored: {}", e.toString());
        }
    }
}
