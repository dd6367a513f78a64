package io.carebus.camel.internal;

import io.carebus.api.route.StepUnavailableException;
import io.carebus.camel.RouteStep;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code carebus:<step>?options}: dispatches to the {@link RouteStep} service of that name. Options are checked
 * against the step when the route is loaded if the step is there then; the step itself is looked up per exchange.
 * An exchange that finds its step missing (its bundle is being updated) waits for it up to {@code stepWait}, then
 * fails with {@link StepUnavailableException}, which the dispatchers treat as "try again later", never as an error of
 * the message.
 */
final class RouteStepComponent extends DefaultComponent {

    private final RouteSteps steps;
    private final Duration stepWait;

    RouteStepComponent(RouteSteps steps, Duration stepWait) {
        this.steps = steps;
        this.stepWait = stepWait;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String name = remaining.strip();
        Map<String, String> options = new LinkedHashMap<>();
        parameters.forEach((k, v) -> options.put(k, v == null ? null : v.toString()));
        parameters.clear();
        RouteStep step = steps.get(name);
        if (step != null && !step.options().containsAll(options.keySet())) {
            Set<String> unknown = new java.util.TreeSet<>(options.keySet());
            unknown.removeAll(step.options());
            throw new IllegalArgumentException("carebus:" + name + " has no option " + unknown + "; it takes " + step.options());
        }
        return new StepEndpoint(uri, this, name, Map.copyOf(options));
    }

    private final class StepEndpoint extends DefaultEndpoint {
        private final String name;
        private final Map<String, String> options;

        StepEndpoint(String uri, RouteStepComponent component, String name, Map<String, String> options) {
            super(uri, component);
            this.name = name;
            this.options = options;
        }

        @Override
        public Producer createProducer() {
            return new DefaultAsyncProducer(this) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    RouteStep step;
                    try {
                        step = steps.await(name, stepWait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        step = null;
                    }
                    if (step == null) {
                        exchange.setException(new StepUnavailableException(name, "no carebus:" + name
                                + " step is running (is its bundle installed?); waited " + stepWait.toMillis() + " ms"));
                        callback.done(true);
                        return true;
                    }
                    return step.process(exchange, options, callback);
                }
            };
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            throw new UnsupportedOperationException("carebus:" + name + " is a step, not a source of messages");
        }
    }
}
