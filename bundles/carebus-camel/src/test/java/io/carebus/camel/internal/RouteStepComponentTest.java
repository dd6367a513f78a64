package io.carebus.camel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.route.StepUnavailableException;
import io.carebus.camel.RouteStep;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** carebus:<step> finds the registered step per exchange, passes its options, and refuses unknown options. */
class RouteStepComponentTest {

    private final RouteSteps steps = new RouteSteps();
    private DefaultCamelContext camel;

    /** The step under the name {@code shout}, taking {@code times}. */
    private abstract static class Shout implements RouteStep {
        @Override
        public String name() {
            return "shout";
        }

        @Override
        public Set<String> options() {
            return Set.of("times");
        }
    }

    private static RouteStep upper(String suffix) {
        return new Shout() {
            @Override
            public void process(Exchange exchange, Map<String, String> options) {
                String body = exchange.getMessage().getBody(String.class).toUpperCase();
                exchange.getMessage().setBody(body.repeat(Integer.parseInt(options.getOrDefault("times", "1"))) + suffix);
            }
        };
    }

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.addComponent("carebus", new RouteStepComponent(steps, Duration.ofSeconds(2)));
        steps.add(upper(""));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:in").to("carebus:shout?times=2");
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void theStepRunsWithItsOptionsAndCanBeReplacedWhileTheRouteRuns() {
        ProducerTemplate template = camel.createProducerTemplate();
        assertThat(template.requestBody("direct:in", "hi", String.class)).isEqualTo("HIHI");
        RouteStep replaced = upper("!");
        steps.add(replaced); // e.g. the step's bundle was updated
        assertThat(template.requestBody("direct:in", "hi", String.class)).isEqualTo("HIHI!");
        steps.remove(replaced);
        assertThatThrownBy(() -> template.requestBody("direct:in", "hi", String.class)).isInstanceOf(CamelExecutionException.class)
                .hasRootCauseInstanceOf(StepUnavailableException.class)
                .hasRootCauseMessage("no carebus:shout step is running (is its bundle installed?); waited 2000 ms")
                .satisfies(e -> assertThat(StepUnavailableException.in(e)).isTrue());
    }

    /** Issue 25: a step whose bundle is being updated comes back a moment later; the exchange waits for it. */
    @Test
    void anExchangeThatFindsItsStepGoneWaitsForItToReturn() throws Exception {
        RouteStep first = steps.get("shout");
        steps.remove(first);
        CountDownLatch waiting = new CountDownLatch(1);
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<String> answer = sender.submit(() -> {
                waiting.countDown();
                return camel.createProducerTemplate().requestBody("direct:in", "hi", String.class);
            });
            waiting.await();
            Thread.sleep(50); // the exchange is (most likely) waiting in the step now; either way it must get the new step
            assertThat(answer.isDone()).isFalse();
            steps.add(upper(" again"));
            assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo("HIHI again");
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void anOptionTheStepDoesNotTakeFailsWhenTheRouteIsLoaded() {
        assertThatThrownBy(() -> camel.getEndpoint("carebus:shout?tims=2")).hasRootCauseMessage(
                "carebus:shout has no option [tims]; it takes [times]");
    }

    /** A step that answers later on another thread: the route waits for it and goes on with its result. */
    @Test
    void anAsynchronousStepFinishesTheExchangeFromAnotherThread() throws Exception {
        java.util.concurrent.ExecutorService elsewhere = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            steps.add(new Shout() {
                @Override
                public void process(Exchange exchange, Map<String, String> options) {
                    throw new AssertionError("the asynchronous form is used");
                }

                @Override
                public boolean process(Exchange exchange, Map<String, String> options, org.apache.camel.AsyncCallback callback) {
                    elsewhere.execute(() -> {
                        if ("boom".equals(exchange.getMessage().getBody(String.class))) {
                            exchange.setException(new IllegalStateException("failed later"));
                        } else {
                            exchange.getMessage().setBody("later:" + Thread.currentThread().getName().startsWith("pool-"));
                        }
                        callback.done(false);
                    });
                    return false;
                }
            });
            ProducerTemplate template = camel.createProducerTemplate();
            assertThat(template.requestBody("direct:in", "hi", String.class)).isEqualTo("later:true");
            assertThatThrownBy(() -> template.requestBody("direct:in", "boom", String.class)).isInstanceOf(CamelExecutionException.class)
                    .hasRootCauseMessage("failed later");
        } finally {
            elsewhere.shutdownNow();
        }
    }
}
