package io.carebus.security.internal;

import io.carebus.api.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.modules.BackingEngineService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On first start there is no user that can log in from the network. This creates the {@code admin} user of the
 * {@code karaf} realm with a random password and writes the password to {@code data/carebus/initial-admin-password}
 * (owner read/write only), as Jenkins does; the operator reads it on the machine and changes it.
 * <p>
 * Only on the first start: once the user exists, {@code data/carebus/admin-initialised} records it, and an operator
 * who later deletes {@code admin} (having made their own administrators) does not find it re-created with a new
 * password at the next restart. A crash during the first start (before the marker) creates it again on the next.
 */
@Component(immediate = true, service = {})
public class InitialAdminPassword {

    static final String ADMIN = "admin";
    /** Karaf's own admin roles (shell, ssh, bundles) and the CareBus roles. */
    static final List<String> ADMIN_ROLES = List.of("admin", "manager", "viewer", "systembundles", "ssh", "engineer", "auditor");
    private static final String PROPERTIES_LOGIN_MODULE = "org.apache.karaf.jaas.modules.properties.PropertiesLoginModule";
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();
    private static final Logger LOG = LoggerFactory.getLogger(InitialAdminPassword.class);

    @Activate
    public InitialAdminPassword(@Reference LoginGuard guard,
            // The password is stored hashed by the realm's encryption, which must be there first (else the entry
            // stayed clear text, which an enabled encryption never matches: seen in AttackBatteryIT's first run).
            @Reference(target = "(name=carebus)") org.apache.karaf.jaas.modules.EncryptionService carebusEncryption,
            @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policyOption = ReferencePolicyOption.GREEDY)
            List<JaasRealm> realms,
            @Reference(cardinality = ReferenceCardinality.AT_LEAST_ONE, policyOption = ReferencePolicyOption.GREEDY)
            List<BackingEngineFactory> factories) throws IOException {
        // Realms carry their name only in getName(), not as a service property, so the karaf realm is picked here;
        // the greedy references re-activate this component when it (or its engine factory) arrives later.
        JaasRealm realm = realms.stream().filter(r -> "karaf".equals(r.getName()) && !(r instanceof ThrottledKarafRealm))
                .findFirst().orElse(null);
        BackingEngine users = realm == null ? null : propertiesEngine(realm, factories);
        if (users == null) {
            LOG.debug("No properties-backed karaf realm (yet): no initial admin user is created");
            return;
        }
        Path file = Path.of(System.getProperty("karaf.data", "data"), "carebus", "initial-admin-password");
        Path marker = file.resolveSibling("admin-initialised");
        Path pending = file.resolveSibling(file.getFileName() + ".pending");
        if (users.lookupUser(ADMIN) != null) {
            // Killed after the user was written but before the password file got its name: the pending file holds
            // that user's password (it is written before the user, and only when there was none).
            if (!Files.exists(marker) && Files.exists(pending) && !Files.exists(file)) {
                Files.move(pending, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            if (!Files.exists(marker)) {
                writeOwnerOnly(marker, "the initial admin user exists; it is not created again\n");
            }
            return;
        }
        if (Files.exists(marker)) {
            LOG.info("User '{}' was deleted; it is not re-created (remove {} to get a new one on the next start)", ADMIN, marker);
            return;
        }
        String password = randomPassword(new SecureRandom(), 24);
        // The password is on disk (owner-only) before the user exists, so a crash never leaves a user nobody can
        // log in as; it gets its final name only once the user has all its roles, so whoever reads it (a person,
        // a test) finds a complete user.
        writeOwnerOnly(pending, password + "\n");
        // One write of the whole entry (password hash and every role), appended to the realm's users file, hashed here
        // with the realm's own encryption settings: Karaf's auto-encryption rewrites clear-text passwords only when
        // it sees the file change while its encryption service is up, and the backing engine's addUser-then-addRole
        // writes raced with it (seen in CI: roles lost, once an empty password's digest).
        Path usersFile = usersFile(realm);
        String existing = Files.exists(usersFile) ? Files.readString(usersFile, StandardCharsets.ISO_8859_1) : "";
        String stored = new org.apache.karaf.jaas.modules.encryption.EncryptionSupport(propertiesOptions(realm)).encrypt(password);
        String entry = (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n") + ADMIN + " = " + stored + ","
                + String.join(",", ADMIN_ROLES) + "\n";
        Files.writeString(usersFile, entry, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // Proof, not hope: the realm must accept the user with its roles before the password file gets its final name.
        // Against Karaf's own realm, not the throttled one: polling while Karaf encrypts the new entry must not lock admin out.
        JaasLogin realmLogin = JaasLogin.unthrottled(realm, guard.throttle());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (!(realmLogin.login(ADMIN, password.toCharArray(), "127.0.0.1") instanceof JaasLogin.Accepted a
                && a.user().roles().contains(io.carebus.api.security.Role.ENGINEER))) {
            if (System.nanoTime() > deadline) {
                LOG.error("The {} realm does not accept the new '{}' user with its roles; check {}", realm.getName(), ADMIN, usersFile);
                break;
            }
            // Karaf's auto-encryption rewrites the whole file from what it had read when a clear-text password of
            // another user is in it (a user added to users.properties before the first start); a rewrite that read
            // the file before our append drops the entry (seen in CI): append it again until the realm has it.
            if (!hasEntry(usersFile, ADMIN)) {
                String now = Files.exists(usersFile) ? Files.readString(usersFile, StandardCharsets.ISO_8859_1) : "";
                Files.writeString(usersFile, (now.isEmpty() || now.endsWith("\n") ? "" : "\n") + ADMIN + " = " + stored + ","
                        + String.join(",", ADMIN_ROLES) + "\n", StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                LOG.info("The '{}' entry was dropped from {} by a concurrent rewrite; appended again", ADMIN, usersFile);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
        }
        writeOwnerOnly(file, password + "\n");
        writeOwnerOnly(marker, "the initial admin user exists; it is not created again\n");
        Files.deleteIfExists(pending);
        LOG.info("Created user '{}' with a generated password; it is in {}", ADMIN, file);
    }

    /** Whether the users file has a line for {@code user} ({@code user = ...}). */
    static boolean hasEntry(Path usersFile, String user) throws IOException {
        if (!Files.exists(usersFile)) {
            return false;
        }
        for (String line : Files.readAllLines(usersFile, StandardCharsets.ISO_8859_1)) {
            String l = line.strip();
            if (l.startsWith(user) && l.substring(user.length()).strip().startsWith("=")) {
                return true;
            }
        }
        return false;
    }

    /** The users file of the realm's properties login module (its {@code users} option). */
    private static Path usersFile(JaasRealm realm) {
        for (AppConfigurationEntry entry : realm.getEntries()) {
            Map<String, ?> options = entry.getOptions();
            if ((PROPERTIES_LOGIN_MODULE.equals(options.get("org.apache.karaf.jaas.module"))
                    || PROPERTIES_LOGIN_MODULE.equals(entry.getLoginModuleName())) && options.get("users") != null) {
                return Path.of(String.valueOf(options.get("users")));
            }
        }
        return Path.of(System.getProperty("karaf.etc", "etc"), "users.properties");
    }

    /** The options of the realm's properties login module (encryption settings, bundle context). */
    private static Map<String, ?> propertiesOptions(JaasRealm realm) {
        for (AppConfigurationEntry entry : realm.getEntries()) {
            Map<String, ?> options = entry.getOptions();
            if (PROPERTIES_LOGIN_MODULE.equals(options.get("org.apache.karaf.jaas.module"))
                    || PROPERTIES_LOGIN_MODULE.equals(entry.getLoginModuleName())) {
                return options;
            }
        }
        return Map.of();
    }

    private static BackingEngine propertiesEngine(JaasRealm realm, List<BackingEngineFactory> factories) {
        BackingEngineService engines = new BackingEngineService();
        engines.setEngineFactories(factories);
        for (AppConfigurationEntry entry : realm.getEntries()) {
            Map<String, ?> options = entry.getOptions();
            if (PROPERTIES_LOGIN_MODULE.equals(options.get("org.apache.karaf.jaas.module"))
                    || PROPERTIES_LOGIN_MODULE.equals(entry.getLoginModuleName())) {
                return engines.get(entry);
            }
        }
        return null;
    }

    static String randomPassword(SecureRandom random, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    /**
     * Written atomically and owner-only (temporary file created with mode 600, forced to disk, renamed, folder forced):
     * never readable by others, never partial under its name.
     */
    static void writeOwnerOnly(Path file, String content) throws IOException {
        SecretFiles.write(file, content);
    }
}
