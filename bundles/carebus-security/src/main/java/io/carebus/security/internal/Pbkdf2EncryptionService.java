package io.carebus.security.internal;

import java.util.Map;
import org.apache.karaf.jaas.modules.Encryption;
import org.apache.karaf.jaas.modules.EncryptionService;
import org.osgi.service.component.annotations.Component;

/**
 * Karaf JAAS password encryption {@code carebus} ({@code encryption.name = carebus} in
 * {@code etc/org.apache.karaf.jaas.cfg}): {@link Pbkdf2Encryption}. Options, from that file without the
 * {@code encryption.} prefix: {@code iterations} (default 210,000, OWASP's figure for PBKDF2-HMAC-SHA-512) and
 * {@code algorithm}, the digest of passwords stored before (default SHA-512), which still log in.
 */
@Component(service = EncryptionService.class, property = "name=carebus")
public class Pbkdf2EncryptionService implements EncryptionService {

    static final int DEFAULT_ITERATIONS = 210_000;

    @Override
    public Encryption createEncryption(Map<String, String> params) {
        String iterations = params.get("iterations");
        String legacy = params.get(ALGORITHM);
        return new Pbkdf2Encryption(iterations == null || iterations.isBlank() ? DEFAULT_ITERATIONS : Integer.parseInt(iterations.strip()),
                legacy == null || legacy.isBlank() ? "SHA-512" : legacy.strip());
    }
}
