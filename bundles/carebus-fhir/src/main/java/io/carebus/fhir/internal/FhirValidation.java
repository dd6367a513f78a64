package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import java.util.function.Supplier;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The HAPI FHIR instance validator against the R4 base definitions shipped in {@code hapi-fhir-validation-resources-r4}
 * (offline: no terminology server; code systems HAPI knows are checked in memory). Built once, and slow the first
 * time (~13 s loading the definitions), so the engine warms it up at start; later validations take milliseconds.
 * HAPI finds its cache provider with ServiceLoader through the context class loader, so calls run with the HAPI
 * bundle's loader as context.
 */
public final class FhirValidation {

    private final FhirContext fhir;
    private volatile FhirValidator validator;

    public FhirValidation(FhirContext fhir) {
        this.fhir = fhir;
    }

    /** The errors and fatal issues (warnings and information are dropped); empty when the resource is valid. */
    public List<SingleValidationMessage> errors(IBaseResource resource) {
        ValidationResult result = withHapiLoader(() -> validator().validateWithResult(resource));
        return result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .toList();
    }

    /** Validates a small resource so the definitions are loaded before the first real request. */
    public void warmUp() {
        errors(new org.hl7.fhir.r4.model.Patient().setActive(true));
    }

    /** The issues as an OperationOutcome (error severity), at most {@code max} of them. */
    public static OperationOutcome outcome(List<SingleValidationMessage> errors, int max) {
        OperationOutcome outcome = new OperationOutcome();
        for (SingleValidationMessage m : errors.stream().limit(max).toList()) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(m.getSeverity() == ResultSeverityEnum.FATAL ? OperationOutcome.IssueSeverity.FATAL
                            : OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.INVALID)
                    .setDiagnostics(m.getMessage());
            if (m.getLocationString() != null) {
                issue.addExpression(m.getLocationString());
            }
        }
        if (errors.size() > max) {
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.INFORMATION).setCode(OperationOutcome.IssueType.TOOCOSTLY)
                    .setDiagnostics((errors.size() - max) + " further errors not listed");
        }
        return outcome;
    }

    private FhirValidator validator() {
        FhirValidator v = validator;
        if (v == null) {
            synchronized (this) {
                if (validator == null) {
                    // Code systems the engine cannot expand offline (SNOMED CT, RxNorm...) are warnings, not errors.
                    UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(fhir);
                    unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
                    ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(fhir),
                            new CommonCodeSystemsTerminologyService(fhir), new InMemoryTerminologyServerValidationSupport(fhir),
                            new SnapshotGeneratingValidationSupport(fhir), unknownCodeSystems);
                    FhirInstanceValidator instanceValidator = new FhirInstanceValidator(chain);
                    // Extensions are how EHRs and IGs add data; an unknown one is no reason to refuse a message.
                    instanceValidator.setAnyExtensionsAllowed(true);
                    // Senders declare the profiles they follow (US Core, national IGs); the engine validates against the
                    // R4 base and does not refuse a resource for naming a profile it does not carry.
                    instanceValidator.setErrorForUnknownProfiles(false);
                    validator = fhir.newValidator().registerValidatorModule(instanceValidator);
                }
                v = validator;
            }
        }
        return v;
    }

    static <T> T withHapiLoader(Supplier<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(FhirContext.class.getClassLoader());
        try {
            return call.get();
        } finally {
            thread.setContextClassLoader(before);
        }
    }
}
