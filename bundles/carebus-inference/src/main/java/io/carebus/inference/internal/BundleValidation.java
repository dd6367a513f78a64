package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.carebus.inference.check.Problem;
import io.carebus.inference.check.ValidationReport;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link io.carebus.inference.check.ModelBundleValidator}: the extender's inspection, then (when the card and the
 * model file could be read) the session, head graph and self-test checks, every problem with its card line. Unlike
 * the extender, it goes on to the session checks after a signature problem, so a vendor sees everything at once.
 */
public final class BundleValidation {

    private BundleValidation() {
    }

    public static ValidationReport validate(Path jar, List<X509Certificate> trusted, boolean allowUnsigned, long maxBytes) {
        ModelBundleInspector inspector = new ModelBundleInspector(new VendorTrust(trusted), allowUnsigned, maxBytes);
        ModelBundleInspector.Inspection inspection = inspector.examine(jar);
        List<Problem> problems = new ArrayList<>(inspection.problems());
        ModelBundleInspector.ModelPackage pkg = inspection.pkg();
        if (pkg != null) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                ModelChecks.open(env, pkg, options).release();
            } catch (ModelRefusedException e) {
                problems.addAll(CardLines.of(inspection.cardBytes()).locate(e.problems()));
            } catch (OrtException e) {
                problems.add(Problem.of("could not be checked: " + e.getMessage()));
            }
        }
        String id = pkg == null ? null : pkg.card().id();
        String version = pkg == null ? null : pkg.card().version();
        return new ValidationReport(id, version, pkg == null ? null : pkg.signer(), problems, inspection.warnings());
    }
}
