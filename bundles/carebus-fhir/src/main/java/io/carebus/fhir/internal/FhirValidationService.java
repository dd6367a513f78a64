package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one validator of the bundle, warmed up in the background at start (loading the R4 definitions takes seconds). */
@Component(service = FhirValidationService.class)
public class FhirValidationService {

    private static final Logger LOG = LoggerFactory.getLogger(FhirValidationService.class);
    private final FhirValidation validation = new FhirValidation(FhirContext.forR4Cached());

    @Activate
    void activate() {
        Thread warmUp = new Thread(() -> {
            long start = System.nanoTime();
            try {
                validation.warmUp();
                LOG.info("FHIR validator ready ({} ms to load the R4 definitions)", (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.error("FHIR validator failed to start; /fhir answers 500 until it does", e);
            } catch (LinkageError e) {
                // The HAPI bundle was stopped or refreshed while the definitions loaded (a shutdown, a feature
                // update): this instance is going away, the next one warms up again.
                LOG.info("FHIR validator warm-up abandoned: {}", e.toString());
            }
        }, "carebus-fhir-validator-warmup");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    FhirValidation validation() {
        return validation;
    }
}
