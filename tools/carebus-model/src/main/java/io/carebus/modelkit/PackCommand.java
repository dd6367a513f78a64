package io.carebus.modelkit;

import io.carebus.inference.check.ModelBundleValidator;
import io.carebus.inference.check.Problem;
import io.carebus.inference.check.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Packs a model folder into a signed model bundle jar and runs the appliance's checks on the signed jar before
 * writing it: what {@code validate} would refuse is never written.
 */
@Command(name = "pack", description = {"Writes the signed model bundle jar the appliance accepts (manifest, entry order, signature).",
        "Refuses to write what 'validate' would refuse."})
final class PackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = ".", description = "model folder with model-card.yaml; default: .")
    Path folder;

    @Option(names = "--sign", required = true, description = "the vendor's PKCS12 key store (from 'carebus-model keys')")
    Path keyStore;

    @Option(names = "--password", defaultValue = "${env:CAREBUS_KEY_PASSWORD}", description = "its password (default: $CAREBUS_KEY_PASSWORD)")
    String password;

    @Option(names = "--alias", description = "the key's alias, when the store holds several")
    String alias;

    @Option(names = "--trust", description = "check the signature against this trust store (default: the signing certificate's own chain)")
    Path trustStore;

    @Option(names = "--trust-password", defaultValue = "carebus-demo")
    String trustPassword;

    @Option(names = {"-o", "--out"}, description = "the jar to write (default: <vendor>.<id>-<version>.jar in the current folder)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (password == null) {
            throw new IllegalArgumentException("give the key store's password with --password or $CAREBUS_KEY_PASSWORD");
        }
        ModelDirectory dir = new ModelDirectory(folder);
        byte[] card = dir.card();
        Packing.Identity who = Packing.identity(card);
        Findings findings = new Findings();
        findings.problems(Findings.todos(card));
        String version = null;
        try {
            version = BundleWriter.osgiVersion(who.version());
        } catch (IllegalArgumentException e) {
            findings.problem(Problem.at("/version", e.getMessage()));
        }
        BundleWriter.VendorKey key = BundleWriter.loadKey(keyStore, password.toCharArray(), alias);
        Path target = out != null ? out : Path.of(BundleWriter.symbolicName(who.vendor(), who.id()) + "-" + who.version() + ".jar");
        Path unsigned = Files.createTempFile("carebus-model-", ".jar");
        Path signed = Files.createTempFile("carebus-model-signed-", ".jar");
        try {
            if (version != null) {
                BundleWriter.writeUnsigned(unsigned, BundleWriter.symbolicName(who.vendor(), who.id()), version, who.name(), dir.contents());
                BundleWriter.sign(unsigned, signed, key);
                List<X509Certificate> trusted = trustStore != null ? ModelBundleValidator.certificates(trustStore, trustPassword) : key.chain();
                ValidationReport report = new ModelBundleValidator(trusted, false, ModelBundleValidator.DEFAULT_MAX_BYTES).validate(signed);
                findings.problems(report.problems());
                findings.warnings(report.warnings());
            }
            if (findings.clean()) {
                Files.move(signed, target.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING);
                findings.note("signed by " + key.certificate().getSubjectX500Principal().getName()
                        + "; the hospital trusts this certificate with carebus:trust-vendor (docs/vendor-guide.md)");
            }
            return findings.print(spec.commandLine().getOut(), "OK: wrote " + target, "nothing written");
        } finally {
            Files.deleteIfExists(unsigned);
            Files.deleteIfExists(signed);
        }
    }
}
