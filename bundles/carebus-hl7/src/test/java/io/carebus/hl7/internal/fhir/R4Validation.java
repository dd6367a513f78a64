package io.carebus.hl7.internal.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The validator chain of /fhir intake (carebus-fhir {@code FhirValidation}: the HAPI instance validator against the R4
 * base definitions, offline, unknown code systems as warnings, any extension allowed), built the same way, once per
 * test JVM: loading the definitions takes seconds.
 */
public final class R4Validation {

    static final FhirContext FHIR = FhirContext.forR4Cached();
    private static FhirValidator validator;

    private R4Validation() {
    }

    public static synchronized List<String> errors(IBaseResource resource) {
        if (validator == null) {
            UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(FHIR);
            unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
            ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                    new CommonCodeSystemsTerminologyService(FHIR), new InMemoryTerminologyServerValidationSupport(FHIR),
                    new SnapshotGeneratingValidationSupport(FHIR), unknownCodeSystems);
            FhirInstanceValidator instanceValidator = new FhirInstanceValidator(chain);
            instanceValidator.setAnyExtensionsAllowed(true);
            instanceValidator.setErrorForUnknownProfiles(false);
            validator = FHIR.newValidator().registerValidatorModule(instanceValidator);
        }
        return validator.validateWithResult(resource).getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(R4Validation::describe).toList();
    }

    private static String describe(SingleValidationMessage m) {
        return m.getLocationString() + ": " + m.getMessage();
    }
}
