package io.carebus.fhir.testing;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.fhir.internal.FhirValidation;

/** One validator per test JVM: loading the R4 definitions takes seconds, and every test class would pay it again. */
public final class SharedValidation {

    private static FhirValidation validation;

    private SharedValidation() {
    }

    public static synchronized FhirValidation get() {
        if (validation == null) {
            validation = new FhirValidation(FhirContext.forR4Cached());
        }
        return validation;
    }
}
