package io.carebus.fhir.testing;

import java.nio.file.Path;
import java.util.List;

/** PKCS12 key stores made by the JDK's keytool, as an administrator would make the engine's SMART signing key. */
public final class SmartKeys {

    public static final String PASSWORD = "carebus-test";
    public static final String ALIAS = "carebus-smart";

    private SmartKeys() {
    }

    /** {@code RSA} (3072 bits, for RS384) or {@code EC} (P-384, for ES384). */
    public static Path create(Path dir, String keyAlgorithm) throws Exception {
        Path store = dir.resolve("smart-" + keyAlgorithm.toLowerCase() + ".p12");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", ALIAS, "-dname", "CN=carebus-test", "-validity", "30", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        if ("EC".equals(keyAlgorithm)) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp384r1", "-sigalg", "SHA384withECDSA"));
        } else {
            command.addAll(List.of("-keyalg", "RSA", "-keysize", "3072", "-sigalg", "SHA384withRSA"));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        return store;
    }
}
