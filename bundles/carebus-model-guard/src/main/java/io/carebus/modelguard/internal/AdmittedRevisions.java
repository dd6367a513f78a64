package io.carebus.modelguard.internal;

import io.carebus.modelguard.ModelBundleGate;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import org.osgi.framework.wiring.BundleRevision;

/**
 * The revisions admitted so far. Held weakly: a revision the framework has dropped (after an update and refresh, or
 * an uninstall) leaves the set by itself, and a revision is only ever equal to itself, so new content is never
 * mistaken for admitted content.
 */
final class AdmittedRevisions implements ModelBundleGate {

    private final Set<BundleRevision> admitted = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Predicate<BundleRevision> isModel;

    AdmittedRevisions(Predicate<BundleRevision> isModel) {
        this.isModel = isModel;
    }

    /** A model bundle is recognised by its manifest; the framework hands us the revision's bundle's headers. */
    static boolean hasModelHeader(BundleRevision revision) {
        Map<String, String> headers = headersOf(revision);
        return headers.get(HEADER) != null;
    }

    private static Map<String, String> headersOf(BundleRevision revision) {
        var dictionary = revision.getBundle().getHeaders("");
        Map<String, String> headers = new java.util.HashMap<>();
        for (var keys = dictionary.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            headers.put(key, dictionary.get(key));
        }
        return headers;
    }

    @Override
    public void admit(BundleRevision revision) {
        admitted.add(revision);
    }

    @Override
    public boolean mayResolve(BundleRevision revision) {
        return !isModel.test(revision) || admitted.contains(revision);
    }
}
