package io.carebus.modelkit;

import io.carebus.inference.check.CardCompatibility;
import io.carebus.inference.check.ModelBundleValidator;
import io.carebus.inference.check.ModelCheckException;
import io.carebus.inference.check.Problem;
import io.carebus.inference.check.ValidationReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Runs the appliance's checks ({@link ModelBundleValidator}: the extender's own code) on a model folder or a built
 * bundle jar and lists every problem with its card line; {@code --against} adds the breaking changes from the
 * previous version's bundle.
 */
@Command(name = "validate", description = {"Runs the appliance's own checks on a model folder or bundle jar and lists every problem.",
        "A folder is checked as the unsigned bundle 'pack' would build from it."})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", defaultValue = ".", description = "model folder (with model-card.yaml) or bundle jar; default: .")
    Path target;

    @Option(names = "--trust", description = "vendor trust store to judge the signature by (etc/carebus-model-trust.p12 of the appliance)")
    Path trustStore;

    @Option(names = "--trust-password", defaultValue = "carebus-demo", description = "its password (default: ${DEFAULT-VALUE})")
    String trustPassword;

    @Option(names = "--allow-unsigned", description = "accept an unsigned jar, as allow.unsigned = true does (development only)")
    boolean allowUnsigned;

    @Option(names = "--max-bundle-mb", defaultValue = "512", description = "the appliance's max.bundle.mb (default: ${DEFAULT-VALUE})")
    long maxBundleMb;

    @Option(names = "--against", description = "the previous version's bundle jar: report changes that break compatibility")
    Path previous;

    @Override
    public Integer call() throws Exception {
        Findings findings = new Findings();
        byte[] card = check(findings);
        if (card != null) {
            findings.problems(Findings.todos(card));
        }
        if (previous != null && card != null) {
            try {
                List<Problem> breaking = CardCompatibility.breakingChanges(BundleFiles.card(previous), card);
                breaking.forEach(p -> findings.problem(new Problem("breaking change from " + previous.getFileName() + ": " + p.reason(),
                        p.field(), p.line())));
                if (breaking.isEmpty()) {
                    findings.note("compatible with " + previous.getFileName() + " (same inputs and outputs, or another model id)");
                }
            } catch (ModelCheckException e) {
                findings.problems(e.problems());
            }
        }
        return findings.print(spec.commandLine().getOut(), "OK: the appliance's checks pass", "the appliance would refuse this bundle");
    }

    /** Runs the checks, adds what they found, and returns the card's bytes (null when there is no card to read). */
    private byte[] check(Findings findings) throws Exception {
        long maxBytes = Math.max(1, maxBundleMb) * 1024 * 1024;
        if (Files.isDirectory(target)) {
            ModelDirectory dir = new ModelDirectory(target);
            byte[] card = dir.card();
            Path jar = Files.createTempFile("carebus-model-", ".jar");
            try {
                Packing.writeUnsigned(dir, jar);
                ValidationReport report = new ModelBundleValidator(List.of(), true, maxBytes).validate(jar);
                findings.problems(report.problems());
                findings.warnings(report.warnings());
                findings.note("checked as an unsigned bundle; 'carebus-model pack --sign vendor.p12' signs it");
            } finally {
                Files.deleteIfExists(jar);
            }
            return card;
        }
        List<X509Certificate> trusted;
        if (trustStore != null) {
            trusted = ModelBundleValidator.certificates(trustStore, trustPassword);
        } else {
            Optional<X509Certificate> signer = BundleFiles.signer(target);
            trusted = signer.map(List::of).orElse(List.of());
            signer.ifPresent(c -> findings.note("signature checked for integrity only: give --trust <the appliance's "
                    + "etc/carebus-model-trust.p12> to check that the appliance trusts " + c.getSubjectX500Principal().getName()));
        }
        ValidationReport report = new ModelBundleValidator(trusted, allowUnsigned, maxBytes).validate(target);
        findings.problems(report.problems());
        findings.warnings(report.warnings());
        if (report.accepted()) {
            findings.note(report.modelId() + " " + report.version() + ", signed by " + report.signer());
        }
        try {
            return BundleFiles.card(target);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
