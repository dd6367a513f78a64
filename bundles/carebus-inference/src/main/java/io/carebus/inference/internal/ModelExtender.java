package io.carebus.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.health.HealthReport;
import io.carebus.api.model.ModelId;
import io.carebus.inference.InferenceResult;
import io.carebus.inference.InsufficientDataException;
import io.carebus.inference.ModelRegistry;
import io.carebus.inference.ModelView;
import io.carebus.inference.ServingState;
import io.carebus.modelguard.ModelBundleGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model-bundle extender (DESIGN.md section 4): every bundle with a {@code CareBus-Model} header, however it was
 * installed, is held unresolved by the model guard (so nothing of it runs) and goes through the same checks on one
 * checker thread (signature, contents, card, hashes, ONNX inputs and
 * outputs, self-tests) and then serves or is refused with its reason; when the bundle goes, its version leaves
 * without cutting off running requests. Lifecycle events go to the audit trail when one runs.
 */
@Component(service = {ModelRegistry.class, HealthIndicator.class, io.carebus.inference.VendorTrustStore.class},
        configurationPid = "io.carebus.inference", immediate = true)
@Designate(ocd = InferenceConfig.class)
public class ModelExtender implements ModelRegistry, HealthIndicator, io.carebus.inference.VendorTrustStore {

    private static final Logger LOG = LoggerFactory.getLogger(ModelExtender.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile AuditTrail audit;

    /** Replaced when a vendor is added to the trust store; each check reads it once. */
    private volatile ModelBundleInspector inspector;
    private final ModelBundleGate gate;
    private final boolean demoVendorTrusted;
    private final OrtEnvironment env;
    private final InferenceConfig config;
    private final ExecutionProviders providers;
    private final Registry registry;
    private final ExecutorService checker;
    private final ThreadPoolExecutor shadows;
    private final BundleTracker<Long> tracker;

    /**
     * The gate is a static reference on purpose: if the guard bundle is replaced, its admissions are gone, and this
     * component comes back with the new gate and checks (and admits) every model bundle again.
     */
    @Activate
    public ModelExtender(BundleContext context, InferenceConfig config, @Reference ModelBundleGate gate)
            throws IOException, GeneralSecurityException {
        this.config = config;
        this.gate = gate;
        VendorTrust trust = trust(config);
        this.demoVendorTrusted = trust.trustsDemoVendor() && !config.trust_demo_vendor();
        this.inspector = new ModelBundleInspector(trust, config.allow_unsigned(), Math.max(1, config.max_bundle_mb()) * 1024 * 1024);
        if (config.allow_unsigned()) {
            LOG.warn("Model bundles: unsigned bundles are accepted (allow.unsigned = true); never in production");
        }
        if (demoVendorTrusted) {
            LOG.warn("Model bundles: the trust store trusts the demo vendor, whose private key is public; replace "
                    + "etc/carebus-model-trust.p12 (or set trust.demo.vendor = true to accept it)");
        }
        this.env = OrtEnvironment.getEnvironment();
        this.providers = new ExecutionProviders(config.execution_provider(), config.cuda_device(),
                OrtEnvironment.getAvailableProviders());
        this.shadows = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(Math.max(1, config.shadow_queue())),
                r -> daemon(r, "carebus-model-shadow"));
        this.registry = new Registry(config.canary_share(), shadows, Clock.systemUTC(), this::lifecycle);
        this.checker = Executors.newSingleThreadExecutor(r -> daemon(r, "carebus-model-checks"));
        // INSTALLED too: a model bundle is checked while the gate still holds it unresolved, before anything of it can run.
        this.tracker = new BundleTracker<>(context, Bundle.INSTALLED | Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE, null) {
            @Override
            public Long addingBundle(Bundle bundle, BundleEvent event) {
                if (bundle.getHeaders("").get(ModelBundleGate.HEADER) == null) {
                    return null;
                }
                BundleRevision revision = bundle.adapt(BundleRevision.class);
                checker.execute(() -> check(bundle, revision));
                return bundle.getBundleId();
            }

            @Override
            public void modifiedBundle(Bundle bundle, BundleEvent event, Long id) {
                if (event == null || event.getType() != BundleEvent.UPDATED) {
                    return; // resolving, starting, a refresh: same content, same verdict
                }
                BundleRevision revision = bundle.adapt(BundleRevision.class);
                boolean stillModel = bundle.getHeaders("").get(ModelBundleGate.HEADER) != null;
                checker.execute(() -> {
                    registry.remove(id);
                    if (stillModel) {
                        check(bundle, revision);
                    }
                });
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, Long id) {
                checker.execute(() -> registry.remove(id));
            }
        };
        tracker.open();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static Path trustStorePath(InferenceConfig config) {
        Path store = Path.of(config.trust_store());
        return store.isAbsolute() ? store : Path.of(System.getProperty("karaf.etc", "etc")).resolve(store);
    }

    @Override
    public synchronized String trust(String alias, java.security.cert.X509Certificate certificate, String actor) throws Exception {
        String added = TrustStoreFile.add(trustStorePath(config), config.trust_store_password().toCharArray(), alias, certificate);
        inspector = new ModelBundleInspector(trust(config), config.allow_unsigned(), Math.max(1, config.max_bundle_mb()) * 1024 * 1024);
        LOG.info("Model bundles: vendor {} added to the trust store by {}", added, actor);
        AuditTrail trail = audit;
        if (trail != null) {
            trail.append(new AuditRecord(Instant.now(), trail.nodeId(), actor, null, AuditAction.CONFIG_CHANGE, AuditRecord.Outcome.SUCCESS,
                    List.of("model-trust-store/" + alias), null, null, null, null, "trusted model vendor " + alias + ": " + added));
        }
        return added;
    }

    @Override
    public List<String> vendors() throws Exception {
        return TrustStoreFile.list(trustStorePath(config), config.trust_store_password().toCharArray());
    }

    private static VendorTrust trust(InferenceConfig config) throws IOException, GeneralSecurityException {
        Path store = trustStorePath(config);
        if (!Files.exists(store)) {
            LOG.warn("Model bundles: no vendor trust store at {}; signed bundles will be refused as untrusted", store);
            return VendorTrust.none();
        }
        VendorTrust trust = VendorTrust.load(store, config.trust_store_password());
        LOG.info("Model bundles: {} trusted vendor certificate(s) from {}", trust.size(), store);
        return trust;
    }

    /** Checks exactly {@code revision}; admits and starts it only when every check passed and the registry took it. */
    private void check(Bundle bundle, BundleRevision revision) {
        String name = bundle.getSymbolicName() + " " + bundle.getVersion();
        if (bundle.getState() == Bundle.UNINSTALLED || bundle.adapt(BundleRevision.class) != revision) {
            return; // gone, or updated meanwhile: the update's own event checks the new content
        }
        Path jar = null;
        try {
            jar = Files.createTempFile("carebus-model-", ".jar");
            BundleJars.write(bundle, jar, Math.max(1, config.max_bundle_mb()) * 1024 * 1024);
            if (bundle.adapt(BundleRevision.class) != revision) {
                return; // the entries read may be the update's; its event checks it
            }
            ModelBundleInspector.ModelPackage pkg = inspector.inspect(jar);
            CardDocument card = pkg.card();
            ModelId modelId = new ModelId(card.id(), card.version(), pkg.modelSha256());
            OrtModel model;
            // Options are copied into the session when it is created; they are closed right after.
            try (OrtSession.SessionOptions options = sessionOptions()) {
                if (providers.apply(options)) {
                    try {
                        model = OrtModel.open(env, modelId, card, pkg.model(), options);
                    } catch (ModelRefusedException e) {
                        // A session that loads on the CPU but not with CUDA means the GPU is the problem, not the model
                        // (when it does not load on the CPU either, the refusal stands and the GPU is not blamed).
                        try (OrtSession.SessionOptions cpu = sessionOptions()) {
                            model = OrtModel.open(env, modelId, card, pkg.model(), cpu);
                        }
                        providers.fallBack("a session with CUDA could not be created (" + e.getMessage() + ")");
                    }
                } else {
                    model = OrtModel.open(env, modelId, card, pkg.model(), options);
                }
            }
            OrtSession.SessionOptions headOptions;
            try {
                headOptions = sessionOptions();
            } catch (OrtException | RuntimeException e) {
                model.release();
                throw e;
            }
            try (headOptions) {
                ModelChecks.complete(model, env, pkg.files(), headOptions);
            }
            model.batch(config.micro_batch_max(), config.micro_batch_wait_micros(), config.micro_batch_workers());
            ServingState initial = ServingState.valueOf(config.new_version_state().trim().toUpperCase(Locale.ROOT));
            LiveVersion live = registry.add(bundle.getBundleId(), name, model, pkg.signer(), initial);
            if (live.state == ServingState.REFUSED) {
                LOG.warn("Model bundle {} refused: {}", name, live.reason);
                dispose(bundle, live.reason);
                return;
            }
            admit(bundle, revision);
            LOG.info("Model {}@{} from bundle {} (signed by {}): {} on {}", card.id(), card.version(), name, pkg.signer(), live.state,
                    providers.describe());
        } catch (ModelRefusedException e) {
            registry.refuse(bundle.getBundleId(), name, null, null, e.getMessage());
            LOG.warn("Model bundle {} refused: {}", name, e.getMessage());
            dispose(bundle, e.getMessage());
        } catch (IOException | OrtException | RuntimeException e) {
            // Not a verdict on the bundle: it stays installed and held at the gate, and is checked again next start.
            registry.refuse(bundle.getBundleId(), name, null, null, "could not be checked: " + e);
            LOG.error("Model bundle {} could not be checked", name, e);
        } finally {
            if (jar != null) {
                try {
                    Files.deleteIfExists(jar);
                } catch (IOException ignored) {
                    // a temporary copy; the OS cleans it up
                }
            }
        }
    }

    /** Lets the checked revision resolve, and starts it: it holds no code, so starting only makes its state say so. */
    private void admit(Bundle bundle, BundleRevision revision) {
        gate.admit(revision);
        try {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                bundle.start();
            }
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("Model bundle {} passed its checks but could not be started: {}", bundle.getSymbolicName(), e.toString());
        }
    }

    /**
     * A refused bundle never resolves; it is also uninstalled, and its file taken out of deploy/ first (else the
     * deployer would install it again) into data/carebus/refused-models/, beside a file with the reason.
     */
    private void dispose(Bundle bundle, String reason) {
        Path base = Path.of(System.getProperty("karaf.base", "."));
        Path data = Path.of(System.getProperty("karaf.data", base.resolve("data").toString()));
        RefusedModels.moveOutOfDeploy(bundle.getLocation(), base.resolve("deploy"), data.resolve("carebus/refused-models"), reason);
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException e) {
            LOG.debug("Refused model bundle {} was already uninstalled: {}", bundle.getBundleId(), e.toString());
        }
    }

    @Override
    public String name() {
        return "models";
    }

    @Override
    public HealthReport report() {
        long refused = registry.models().stream().filter(m -> m.state() == ServingState.REFUSED).count();
        Map<String, Object> details = Map.of("models", registry.models().size() - refused, "refused", refused);
        if (demoVendorTrusted) {
            return HealthReport.of(List.of(), List.of("model bundles: the vendor trust store trusts the CareBus demo vendor, "
                    + "whose private key is public, so anyone can sign a model that runs here; replace etc/carebus-model-trust.p12 "
                    + "with your vendors' certificates (or set trust.demo.vendor = true in etc/io.carebus.inference.cfg)"), details);
        }
        return HealthReport.of(List.of(), details);
    }

    private OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(Math.max(1, config.intra_op_threads()));
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(config.optimization_level().trim()));
        return options;
    }

    private void lifecycle(String event, LiveVersion v) {
        AuditTrail trail = audit;
        if (trail == null) {
            return;
        }
        AuditAction action = switch (event) {
            case "install", "refuse" -> AuditAction.MODEL_INSTALL;
            case "activate" -> AuditAction.MODEL_ACTIVATE;
            case "retire" -> AuditAction.MODEL_RETIRE;
            default -> AuditAction.CONFIG_CHANGE;
        };
        try {
            trail.append(new AuditRecord(Instant.now(), trail.nodeId(), "system:model-extender", null, action,
                    "refuse".equals(event) ? AuditRecord.Outcome.SERIOUS_FAILURE : AuditRecord.Outcome.SUCCESS,
                    List.of("bundle/" + v.bundleId), null, v.model == null ? null : v.model.id(), null, null,
                    "refuse".equals(event) ? "refused: " + v.reason : event + " as " + v.state));
        } catch (RuntimeException e) {
            LOG.error("Could not audit model event {} of bundle {}: {}", event, v.bundleId, e.toString());
        }
    }

    @Override
    public List<ModelView> models() {
        return registry.models();
    }

    @Override
    public InferenceResult infer(String modelId, String version, String subjectPseudonym, Map<String, Double> features)
            throws InsufficientDataException {
        return registry.infer(modelId, version, subjectPseudonym, features);
    }

    @Override
    public java.util.concurrent.CompletionStage<InferenceResult> inferAsync(String modelId, String version, String subjectPseudonym,
            Map<String, Double> features) {
        return registry.inferAsync(modelId, version, subjectPseudonym, features);
    }

    @Override
    public InferenceResult inferFhir(String modelId, String version, String subject, String fhirJson, java.time.Instant asOf)
            throws InsufficientDataException {
        return registry.inferFhir(modelId, version, subject, fhirJson, asOf);
    }

    @Override
    public InferenceResult inferImage(String modelId, String version, String subjectPseudonym, float[] pixels) {
        return registry.inferImage(modelId, version, subjectPseudonym, pixels);
    }

    @Override
    public InferenceResult inferImage(String modelId, String version, String subjectPseudonym, io.carebus.inference.ImageSource image)
            throws io.carebus.api.model.ImageAbstainedException {
        return registry.inferImage(modelId, version, subjectPseudonym, image);
    }

    @Override
    public io.carebus.inference.ModelLease lease(String modelId, String version) {
        return registry.lease(modelId, version);
    }

    @Override
    public void promote(String modelId, String version) {
        registry.promote(modelId, version);
    }

    @Override
    public void rollback(String modelId) {
        registry.rollback(modelId);
    }

    @Override
    public void setState(String modelId, String version, ServingState state) {
        registry.setState(modelId, version, state);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        tracker.close();
        checker.shutdown();
        checker.awaitTermination(30, TimeUnit.SECONDS);
        shadows.shutdown();
        shadows.awaitTermination(10, TimeUnit.SECONDS);
        registry.close();
    }
}
