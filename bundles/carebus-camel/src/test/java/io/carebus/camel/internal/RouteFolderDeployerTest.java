package io.carebus.camel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.camel.RouteFileState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFolderDeployerTest {

    @TempDir
    Path folder;

    private CamelContext camel;
    private ProducerTemplate template;
    private RouteFolderDeployer deployer;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.setSourceLocationEnabled(true);
        camel.start();
        template = camel.createProducerTemplate();
        deployer = new RouteFolderDeployer(camel, folder, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private static String echoRoute(String id, String endpoint, String answer) {
        return """
                - route:
                    %s
                    from:
                      uri: "%s"
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(id == null ? "" : "id: " + id, endpoint, answer);
    }

    private void write(String file, String content) throws Exception {
        Files.writeString(folder.resolve(file), content);
    }

    private RouteFileState state(String file) {
        return deployer.states().stream().filter(s -> s.file().equals(file)).findFirst().orElseThrow();
    }

    @Test
    void deploysEveryRouteFileAndNamesUnnamedRoutesAfterTheirFile() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        write("anon.yml", echoRoute(null, "direct:anon", "a"));
        write("notes.txt", "not a route");
        write(".hidden.yaml", echoRoute("hidden", "direct:hidden", "h"));

        deployer.scan();

        assertThat(deployer.initialScanDone()).isTrue();
        assertThat(template.requestBody("direct:hello", "x", String.class)).isEqualTo("v1");
        assertThat(camel.getRoute("anon")).as("route without id is named after its file, routes: %s", camel.getRoutes()).isNotNull();
        assertThat(camel.getRoute("hidden")).isNull();
        assertThat(deployer.states()).extracting(RouteFileState::file).containsExactly("anon.yml", "hello.yaml");
        assertThat(state("hello.yaml").deployed()).isTrue();
    }

    @Test
    void aChangedFileReplacesItsRoutes() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        deployer.scan();
        write("hello.yaml", echoRoute("hello", "direct:hello", "v2"));
        deployer.scan();

        assertThat(template.requestBody("direct:hello", "x", String.class)).isEqualTo("v2");
        assertThat(camel.getRoutes()).hasSize(1);
    }

    @Test
    void aRenamedRouteDoesNotLeaveTheOldOneRunning() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        deployer.scan();
        write("hello.yaml", echoRoute("hello2", "direct:hello2", "v2"));
        deployer.scan();

        assertThat(camel.getRoute("hello")).isNull();
        assertThat(camel.getRouteController().getRouteStatus("hello2")).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void brokenYamlIsRejectedWithItsLineAndThePreviousVersionKeepsRunning() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        deployer.scan();
        write("hello.yaml", """
                - route:
                    id: hello
                    from:
                      uri: "direct:hello"
                      steps:
                        - setBody:
                            constant: "v2"
                        - noSuchStep:
                            foo: bar
                """);
        deployer.scan();

        RouteFileState state = state("hello.yaml");
        assertThat(state.deployed()).isFalse();
        assertThat(state.previousVersionRunning()).isTrue();
        assertThat(state.error()).isNotBlank();
        assertThat(state.errorLine()).isEqualTo(8);
        assertThat(template.requestBody("direct:hello", "x", String.class)).isEqualTo("v1");
    }

    @Test
    void aRouteThatCannotStartIsRejectedAndThePreviousVersionIsRestored() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        deployer.scan();
        write("hello.yaml", echoRoute("hello", "nosuchcomponent:hello", "v2"));
        deployer.scan();

        RouteFileState state = state("hello.yaml");
        assertThat(state.deployed()).isFalse();
        assertThat(state.error()).contains("nosuchcomponent");
        assertThat(state.errorLine()).isEqualTo(1);
        assertThat(state.routeIds()).containsExactly("hello");
        assertThat(template.requestBody("direct:hello", "x", String.class)).isEqualTo("v1");
    }

    @Test
    void anUnchangedRejectedFileIsNotRetriedButAFixedOneIsDeployed() throws Exception {
        write("bad.yaml", "- route: [unclosed");
        deployer.scan();
        RouteFileState first = state("bad.yaml");
        deployer.scan();
        assertThat(state("bad.yaml")).isSameAs(first);
        assertThat(first.deployed()).isFalse();
        assertThat(first.previousVersionRunning()).isFalse();

        write("bad.yaml", echoRoute("fixed", "direct:fixed", "ok"));
        deployer.scan();
        assertThat(template.requestBody("direct:fixed", "x", String.class)).isEqualTo("ok");
    }

    @Test
    void aDeletedFileTakesItsRoutesWithIt() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        write("other.yaml", echoRoute("other", "direct:other", "o"));
        deployer.scan();
        Files.delete(folder.resolve("hello.yaml"));
        deployer.scan();

        assertThat(camel.getRoute("hello")).isNull();
        assertThat(camel.getRoute("other")).isNotNull();
        assertThat(deployer.states()).extracting(RouteFileState::file).containsExactly("other.yaml");
        // block=false: by default a direct producer waits 30 s for a consumer to appear.
        assertThatThrownBy(() -> template.requestBody("direct:hello?block=false", "x")).hasStackTraceContaining("No consumers available");
    }

    @Test
    void aRouteIdTakenByAnotherFileIsRejectedAndTheOtherFileIsUntouched() throws Exception {
        write("a.yaml", echoRoute("shared", "direct:a", "a"));
        deployer.scan();
        write("b.yaml", echoRoute("shared", "direct:b", "b"));
        deployer.scan();

        assertThat(state("b.yaml").error()).contains("already defined in a.yaml");
        assertThat(template.requestBody("direct:a", "x", String.class)).isEqualTo("a");
    }

    @Test
    void undeployAllRemovesEveryRouteOfTheFolder() throws Exception {
        write("hello.yaml", echoRoute("hello", "direct:hello", "v1"));
        deployer.scan();
        deployer.undeployAll();
        assertThat(camel.getRoutes()).isEmpty();
    }

    private static final String TEMPLATES = """
            - routeTemplate:
                id: greeter
                parameters:
                  - name: name
                  - name: greeting
                    defaultValue: Hello
                route:
                  from:
                    uri: "direct:{{name}}"
                    steps:
                      - setBody:
                          simple: "{{greeting}} ${body}"
            - templatedRoute:
                routeTemplateRef: greeter
                routeId: greet-en
                parameters:
                  - name: name
                    value: en
            - templatedRoute:
                routeTemplateRef: greeter
                routeId: greet-fr
                parameters:
                  - name: name
                    value: fr
                  - name: greeting
                    value: Bonjour
            """;

    @Test
    void routeTemplatesAndTheRoutesMadeFromThemDeployChangeAndGoWithTheirFile() throws Exception {
        write("greeters.yaml", TEMPLATES);
        deployer.scan();

        assertThat(state("greeters.yaml").deployed()).as("%s", state("greeters.yaml").error()).isTrue();
        assertThat(state("greeters.yaml").routeIds()).containsExactly("greet-en", "greet-fr");
        assertThat(template.requestBody("direct:en", "Ada", String.class)).isEqualTo("Hello Ada");
        assertThat(template.requestBody("direct:fr", "Ada", String.class)).isEqualTo("Bonjour Ada");

        // An instance naming a template that does not exist is rejected; the previous version keeps running.
        write("greeters.yaml", TEMPLATES.replace("routeTemplateRef: greeter\n    routeId: greet-fr", "routeTemplateRef: greeterz\n    routeId: greet-fr"));
        deployer.scan();
        assertThat(state("greeters.yaml").deployed()).isFalse();
        assertThat(template.requestBody("direct:fr", "Ada", String.class)).isEqualTo("Bonjour Ada");

        write("greeters.yaml", TEMPLATES.replace("value: Bonjour", "value: Salut"));
        deployer.scan();
        assertThat(template.requestBody("direct:fr", "Ada", String.class)).isEqualTo("Salut Ada");

        Files.delete(folder.resolve("greeters.yaml"));
        deployer.scan();
        assertThat(camel.getRoute("greet-en")).isNull();
        assertThat(camel.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteTemplateDefinition("greeter")).isNull();
    }

    @Test
    void instancesInFilesThatSortBeforeTheirTemplatesStillDeployOnTheFirstScan() throws Exception {
        String instance = """
                - templatedRoute:
                    routeTemplateRef: greeter
                    routeId: greet-early
                    parameters:
                      - name: name
                        value: early
                """;
        String templateOnly = TEMPLATES.substring(0, TEMPLATES.indexOf("- templatedRoute:"));
        write("a-instance.yaml", instance);
        write("z-templates.yaml", templateOnly);
        deployer.scan();
        assertThat(state("a-instance.yaml").deployed()).as("%s", state("a-instance.yaml").error()).isTrue();
        assertThat(template.requestBody("direct:early", "Ada", String.class)).isEqualTo("Hello Ada");

        // Later: an instance of a template that is missing is rejected, and deploys as soon as the template arrives.
        write("b-instance.yaml", instance.replace("greeter", "later").replace("early", "late"));
        deployer.scan();
        assertThat(state("b-instance.yaml").deployed()).isFalse();
        write("y-later.yaml", templateOnly.replace("id: greeter", "id: later"));
        deployer.scan();
        assertThat(state("b-instance.yaml").deployed()).as("%s", state("b-instance.yaml").error()).isTrue();
        assertThat(template.requestBody("direct:late", "Ada", String.class)).isEqualTo("Hello Ada");
    }
}
