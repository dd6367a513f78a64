package io.carebus.console.internal.shell;

import io.carebus.audit.AuditVerification;
import io.carebus.audit.AuditVerifier;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code carebus:audit-verify}: recomputes the audit hash chain and names the first broken record. */
@Service
@Command(scope = "carebus", name = "audit-verify", description = "Verifies the tamper-evident audit trail")
public class AuditVerifyCommand implements Action {

    @Reference
    AuditVerifier verifier;

    @Override
    public Object execute() {
        AuditVerification v = verifier.verify();
        if (v.intact()) {
            System.out.println("INTACT: " + v.detail() + " (" + v.millis() + " ms)");
        } else {
            System.out.println("BROKEN at record " + v.firstBrokenSeq() + ": " + v.problem() + " - " + v.detail()
                    + " (" + v.checked() + " records read, " + v.millis() + " ms)");
        }
        return null;
    }
}
