package io.carebus.inference.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How model bundles are checked and served (etc/io.carebus.inference.cfg). */
@ObjectClassDefinition(name = "CareBus inference", description = "Model bundle checks and ONNX Runtime sessions")
@interface InferenceConfig {

    @AttributeDefinition(description = "Trust store (PKCS12 or JKS) with the certificates of the vendors whose signed "
            + "model bundles may run; relative paths are under karaf.etc")
    String trust_store() default "carebus-model-trust.p12";

    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Trust store password")
    String trust_store_password() default "";

    @AttributeDefinition(description = "Development only: accept unsigned model bundles (signed ones must still be trusted)")
    boolean allow_unsigned() default false;

    @AttributeDefinition(description = "Accept that the trust store trusts the public demo vendor key (health is DEGRADED "
            + "while it does and this is false)")
    boolean trust_demo_vendor() default false;

    @AttributeDefinition(description = "Most megabytes a model bundle's entries may inflate to together")
    long max_bundle_mb() default 512;

    @AttributeDefinition(description = "State of a new version of a model that already serves: SHADOW, CANARY or SERVING")
    String new_version_state() default "SHADOW";

    @AttributeDefinition(description = "Share of requests (0..1) a CANARY version answers")
    double canary_share() default 0.1;

    @AttributeDefinition(description = "Intra-op threads per session (1 gives the steadiest latency; parallelism comes "
            + "from concurrent requests)")
    int intra_op_threads() default 1;

    @AttributeDefinition(description = "Graph optimisation: NO_OPT, BASIC_OPT, EXTENDED_OPT or ALL_OPT")
    String optimization_level() default "ALL_OPT";

    @AttributeDefinition(description = "Execution provider: auto (CUDA when the installed ONNX Runtime is the GPU build "
            + "of the carebus-inference-gpu feature), cpu, or cuda; CUDA falls back to the CPU with one log line when "
            + "the GPU or its libraries are not usable")
    String execution_provider() default "auto";

    @AttributeDefinition(description = "CUDA device id when CUDA is used")
    int cuda_device() default 0;

    @AttributeDefinition(description = "Micro-batching: most rows coalesced into one ONNX Runtime call (1 = off, each "
            + "request runs on its own thread)")
    int micro_batch_max() default 64;

    @AttributeDefinition(description = "Micro-batching: microseconds a batch waits for more rows (0 = take only what is "
            + "already queued, so a lone request never waits)")
    long micro_batch_wait_micros() default 0;

    @AttributeDefinition(description = "Micro-batching: worker threads per model version")
    int micro_batch_workers() default 2;

    @AttributeDefinition(description = "Shadow runs waiting at most; beyond it shadow runs are skipped (counted)")
    int shadow_queue() default 1000;
}
