package io.carebus.modelkit;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Makes a vendor signing key with the JDK's keytool: an EC P-384 key pair with a self-signed certificate in a PKCS12
 * store, the certificate as PEM (what a hospital adds to its trust store), and a certificate signing request for a
 * vendor that has its key certified by a CA instead.
 */
@Command(name = "keys", description = "Creates a vendor key pair, its certificate and a certificate signing request, "
        + "and says how a hospital trusts it.")
final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--subject", required = true, description = "the vendor's distinguished name, e.g. \"CN=Acme Models,O=Acme Health AI,C=NL\"")
    String subject;

    @Option(names = "--out", defaultValue = ".", description = "folder to write into (default: .)")
    Path out;

    @Option(names = "--name", defaultValue = "vendor", description = "file names and key alias (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--password", defaultValue = "${env:CAREBUS_KEY_PASSWORD}", description = "password of the key store (default: $CAREBUS_KEY_PASSWORD)")
    String password;

    @Option(names = "--validity-days", defaultValue = "1095")
    int validityDays;

    @Override
    public Integer call() throws Exception {
        if (password == null || password.length() < 6) {
            throw new IllegalArgumentException("give a key store password of at least 6 characters with --password or $CAREBUS_KEY_PASSWORD");
        }
        Files.createDirectories(out);
        Path p12 = out.resolve(name + ".p12");
        Path pem = out.resolve(name + ".pem");
        Path csr = out.resolve(name + ".csr");
        if (Files.exists(p12)) {
            throw new IllegalArgumentException(p12 + " exists; a key is not overwritten");
        }
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp384r1", "-sigalg", "SHA384withECDSA",
                "-dname", subject, "-validity", Integer.toString(validityDays), "-keystore", p12.toString(), "-storetype", "PKCS12",
                "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", p12.toString(), "-storepass", password, "-file", pem.toString());
        keytool("-certreq", "-alias", name, "-keystore", p12.toString(), "-storepass", password, "-sigalg", "SHA384withECDSA",
                "-file", csr.toString());
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + p12 + " (private key: keep it secret, back it up), " + pem + " (certificate), " + csr + " (signing request)");
        w.println();
        w.println("Sign bundles with:   carebus-model pack <model folder> --sign " + p12);
        w.println("Certified by a CA:   send " + csr + " to the CA, then import its answer (the chain) into the key store:");
        w.println("                     keytool -importcert -alias " + name + " -file chain.pem -keystore " + p12 + " -storetype PKCS12");
        w.println("The hospital trusts your bundles by adding " + pem + " (or your CA's certificate) to etc/carebus-model-trust.p12,");
        w.println("as an admin, audited:");
        w.println("  Karaf shell:  carebus:trust-vendor <alias> " + pem.getFileName());
        w.println("  (or keytool -importcert -alias <alias> -file " + pem.getFileName()
                + " -keystore etc/carebus-model-trust.p12 -storetype PKCS12, then restart the inference bundle)");
        w.println("Certificate SHA-256 (for the hospital to compare over the phone): " + Keytool.fingerprint(pem));
        w.flush();
        return CareBusModel.OK;
    }

    private static void keytool(String... args) throws Exception {
        Keytool.run(args);
    }

    /** The JDK's keytool, run as a process (it ships with every JDK and JRE image that has the jdk.jartool module). */
    static final class Keytool {
        static void run(String... args) throws Exception {
            Path tool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> command = new ArrayList<>();
            command.add(tool.toString());
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + text.strip());
            }
        }

        static String fingerprint(Path pem) throws Exception {
            try (var in = Files.newInputStream(pem)) {
                java.security.cert.Certificate c = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
                return java.util.HexFormat.ofDelimiter(":").withUpperCase()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
            }
        }
    }
}
