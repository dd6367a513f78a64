package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.model.Prediction;
import io.carebus.inference.ServingState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** carebus:infer on feature maps through Camel's asynchronous routing engine, with micro-batching on. */
class InferStepAsyncTest {

    private ExecutorService shadows;
    private Registry registry;
    private DefaultCamelContext camel;
    private final Set<String> continuedOn = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void open() throws Exception {
        shadows = Executors.newSingleThreadExecutor();
        registry = new Registry(0.0, shadows, Clock.systemUTC(), (event, v) -> { });
        OrtModel model = RegistryTest.v1();
        model.batch(64, 2000, 2);
        registry.add(1, "b1", model, "vendor", ServingState.SERVING);
        InferStep step = new InferStep(registry, null);
        Map<String, String> options = Map.of("model", "risk-demo");
        camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:infer")
                        .process(new AsyncProcessorSupport() {
                            @Override
                            public boolean process(Exchange exchange, AsyncCallback callback) {
                                return step.process(exchange, options, callback);
                            }
                        })
                        .process(e -> continuedOn.add(Thread.currentThread().getName()));
            }
        });
        camel.start();
    }

    @AfterEach
    void close() {
        camel.stop();
        registry.close();
        shadows.shutdownNow();
    }

    @Test
    void exchangesInFlightAreAnsweredWithTheirOwnRowsAndContinueOffTheBatchWorkers() throws Exception {
        ProducerTemplate template = camel.createProducerTemplate();
        List<CompletableFuture<Exchange>> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double hr = 50 + i % 100;
            sent.add(template.asyncSend("direct:infer", e -> {
                e.getMessage().setBody(RegistryTest.patient(hr));
                e.getMessage().setHeader("CareBusSubject", "patient/P" + hr);
            }));
        }
        for (int i = 0; i < sent.size(); i++) {
            Exchange done = sent.get(i).get(20, TimeUnit.SECONDS);
            assertThat(done.getException()).isNull();
            assertThat(done.getMessage().getHeader("CareBusInferenceOutcome")).isEqualTo("PREDICTED");
            Prediction p = done.getMessage().getBody(Prediction.class);
            assertThat(p.outputs().get("risk")).isCloseTo(TestCards.expected(TestCards.WEIGHTS, TestCards.BIAS, 50 + i % 100, 3.0, 1.2),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
        assertThat(continuedOn).noneMatch(name -> name.startsWith("carebus-batch-"));
        assertThat(continuedOn).anyMatch(name -> name.startsWith("carebus-infer-route-"));
    }

    @Test
    void insufficientDataAndBadValuesAreAnsweredOnTheExchange() throws Exception {
        ProducerTemplate template = camel.createProducerTemplate();
        Exchange insufficient = template.send("direct:infer", e -> e.getMessage().setBody(Map.of("lactate", 2.0)));
        assertThat(insufficient.getException()).isNull();
        assertThat(insufficient.getMessage().getHeader("CareBusInferenceOutcome")).isEqualTo("INSUFFICIENT_DATA");
        Exchange bad = template.send("direct:infer", e -> e.getMessage().setBody(Map.of("heart_rate", "fast")));
        assertThat(bad.getException()).hasMessageContaining("heart_rate is not a number");
    }
}
