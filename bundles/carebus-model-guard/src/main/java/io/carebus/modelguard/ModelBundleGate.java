package io.carebus.modelguard;

import org.osgi.framework.wiring.BundleRevision;

/**
 * The gate every model bundle waits at: a bundle whose manifest has {@value #HEADER} cannot be resolved, so it cannot
 * start, attach as a fragment or be wired to, until its checked revision is admitted. Admission is per revision: an
 * update of an admitted bundle brings new content, which waits at the gate again until it too has been checked.
 */
public interface ModelBundleGate {

    /** The manifest header that makes a bundle a model bundle (DESIGN.md section 4). */
    String HEADER = "CareBus-Model";

    /** Lets exactly this revision (the one whose entries were checked) resolve. */
    void admit(BundleRevision revision);

    /** Whether the framework may resolve this revision: any non-model bundle, or an admitted model revision. */
    boolean mayResolve(BundleRevision revision);
}
