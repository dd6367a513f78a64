package io.carebus.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.metrics.MetricNames;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The route notifier on a real CamelContext and a real Prometheus registry, joined after the routes started. */
class RouteMetricsNotifierTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Duration[] buckets = HistogramBuckets.parse(new String[] {"5, 50, 500"});
    private final EndToEndLatency endToEnd = new EndToEndLatency(registry, 100, buckets);
    private CamelContext camel;
    private ProducerTemplate template;

    /** Stands in for carebus-inference's carebus:infer step: sets the outcome header the real step sets. */
    static final class OutcomeComponent extends DefaultComponent {
        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            String outcome = String.valueOf(parameters.remove("outcome"));
            parameters.clear();
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    return new DefaultProducer(this) {
                        @Override
                        public void process(org.apache.camel.Exchange exchange) {
                            exchange.getMessage().setHeader(RouteMetricsNotifier.INFERENCE_OUTCOME, outcome);
                            if (outcome.equals("PREDICTED")) {
                                exchange.getMessage().setHeader(RouteMetricsNotifier.INFERENCE_MICROS, 7_000L);
                            }
                        }
                    };
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addComponent("carebus", new OutcomeComponent());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:carebus-hl7-inbound").routeId("hl7-inbound")
                        .multicast().to("direct:a", "direct:b").end();
                from("direct:a").routeId("a").log("a");
                from("direct:b").routeId("b").log("b");
                from("direct:failing").routeId("failing").throwException(new IllegalStateException("boom"));
                from("direct:infer").routeId("infer")
                        .to("carebus:infer?model=sepsis-risk&outcome=PREDICTED")
                        .to("carebus:infer?model=sepsis-risk&outcome=INSUFFICIENT_DATA")
                        .to("carebus:infer?model=chest&outcome=ABSTAINED");
            }
        });
        camel.start();
        // As in the appliance: the notifier joins a context whose routes are already running.
        RouteMetricsNotifier notifier = new RouteMetricsNotifier(registry, endToEnd, buckets);
        camel.getManagementStrategy().addEventNotifier(notifier);
        ServiceHelper.startService(notifier);
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
        registry.close();
    }

    @Test
    void countsEachRoutesExchangesOnceByOutcomeWithHistogramBuckets() {
        template.sendBodyAndHeader("direct:carebus-hl7-inbound", "x", RouteMetricsNotifier.MESSAGE_ID, 41L);
        template.sendBodyAndHeader("direct:carebus-hl7-inbound", "y", RouteMetricsNotifier.MESSAGE_ID, 42L);
        assertThatThrownBy(() -> template.sendBody("direct:failing", "z")).hasRootCauseMessage("boom");

        // Each message runs the inbound route once, and routes a and b once each through the multicast's copies; the
        // copies' own completions are not counted again.
        assertThat(timer("route", "hl7-inbound", "completed").count()).isEqualTo(2);
        assertThat(timer("route", "a", "completed").count()).isEqualTo(2);
        assertThat(timer("route", "b", "completed").count()).isEqualTo(2);
        assertThat(timer("route", "failing", "failed").count()).isEqualTo(1);

        String scrape = registry.scrape();
        assertThat(scrape).contains("carebus_route_exchanges_seconds_count{outcome=\"completed\",route=\"hl7-inbound\"} 2")
                .contains("carebus_route_exchanges_seconds_bucket{outcome=\"failed\",route=\"failing\",le=\"0.05\"}")
                .contains("carebus_route_exchanges_seconds_bucket{outcome=\"completed\",route=\"hl7-inbound\",le=\"+Inf\"} 2");
        // Both processed messages wait for their receipt time, to be looked up in the store.
        assertThat(endToEnd.waiting()).isEqualTo(2);
    }

    @Test
    void timesEachInferenceByModelAndOutcome() {
        template.sendBody("direct:infer", "features");
        template.sendBody("direct:infer", "features");

        Timer predicted = timer(MetricNames.MODEL_INFERENCE, "model", "sepsis-risk", "PREDICTED");
        assertThat(predicted.count()).isEqualTo(2);
        // The step's own measure of the model run (7 ms) is what is recorded when it predicted.
        assertThat(predicted.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(14.0);
        assertThat(timer(MetricNames.MODEL_INFERENCE, "model", "sepsis-risk", "INSUFFICIENT_DATA").count()).isEqualTo(2);
        assertThat(timer(MetricNames.MODEL_INFERENCE, "model", "chest", "ABSTAINED").count()).isEqualTo(2);
        assertThat(registry.scrape()).contains(
                "carebus_model_inference_seconds_count{model=\"chest\",outcome=\"ABSTAINED\"} 2");
    }

    private Timer timer(String tag, String value, String outcome) {
        return timer(MetricNames.ROUTE_EXCHANGES, tag, value, outcome);
    }

    private Timer timer(String name, String tag, String value, String outcome) {
        Timer timer = registry.find(name).tag(tag, value).tag("outcome", outcome).timer();
        assertThat(timer).as(name + " " + value + " " + outcome).isNotNull();
        return timer;
    }
}
