package io.carebus.inference.internal;

import io.carebus.models.tools.ModelBundles;

import io.carebus.models.tools.OnnxGraphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a model bundle can be wrong is refused with a reason that says which; a good one passes. */
class ModelBundleInspectorTest {

    @TempDir
    static Path dir;

    static ModelBundles bundles;
    static ModelBundleInspector strict;
    static byte[] onnx;
    static String sha;

    @BeforeAll
    static void keys() throws Exception {
        bundles = new ModelBundles(dir);
        strict = new ModelBundleInspector(VendorTrust.load(bundles.trustStore(), ModelBundles.PASSWORD), false);
        onnx = OnnxGraphs.logisticRegression(TestCards.WEIGHTS, TestCards.BIAS);
        sha = ModelBundleInspector.sha256(onnx);
    }

    private Path unsigned(String name, String card) throws Exception {
        return bundles.unsigned(name, ModelBundles.files("model-card.yaml", card, "model.onnx", onnx), "model-card.yaml");
    }

    private static String goodCard() {
        return TestCards.card("1.0.0", sha, TestCards.selfTestExpected());
    }

    @Test
    void aSignedBundleFromTheTrustedVendorPasses() throws Exception {
        ModelBundleInspector.ModelPackage pkg = strict.inspect(bundles.signed(unsigned("good", goodCard()), "vendor"));
        assertThat(pkg.card().id()).isEqualTo("risk-demo");
        assertThat(pkg.modelSha256().hex()).isEqualTo(sha);
        assertThat(pkg.signer()).contains("CN=Demo Vendor");
    }

    @Test
    void unsignedIsRefusedUnlessDevModeAllowsIt() throws Exception {
        Path jar = unsigned("plain", goodCard());
        assertThatThrownBy(() -> strict.inspect(jar)).isInstanceOf(ModelRefusedException.class).hasMessageStartingWith("unsigned");
        ModelBundleInspector dev = new ModelBundleInspector(VendorTrust.none(), true);
        assertThat(dev.inspect(jar).signer()).contains("unsigned");
    }

    @Test
    void aSignerTheTrustStoreDoesNotKnowIsRefused() throws Exception {
        Path jar = bundles.signed(unsigned("strange", goodCard()), "stranger");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageStartingWith("untrusted signer CN=Stranger");
    }

    @Test
    void oneChangedByteInTheOnnxFileAfterSigningIsRefusedAsTampered() throws Exception {
        Path jar = bundles.tampered(bundles.signed(unsigned("tamper", goodCard()), "vendor"), "model.onnx");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageStartingWith("tampered").hasMessageContaining("model.onnx");
    }

    @Test
    void aCardWhoseHashDoesNotMatchTheFileIsRefused() throws Exception {
        String wrong = "0".repeat(64);
        Path jar = bundles.signed(unsigned("hash", TestCards.card("1.0.0", wrong, 0.5)), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("sha256 of model.onnx is " + sha + ", the card says " + wrong);
    }

    @Test
    void anIncompleteCardIsRefusedWithEveryProblem() throws Exception {
        String card = goodCard().replaceFirst("intendedUse: .*\n", "").replace("changeControl: Weights may change; inputs and outputs may not.\n", "");
        Path jar = bundles.signed(unsigned("card", card), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageContaining("intendedUse is required")
                .hasMessageContaining("changeControl is required");
    }

    @Test
    void aMisspeltCardFieldIsRefused() throws Exception {
        Path jar = bundles.signed(unsigned("typo", goodCard().replace("intendedUse:", "intendedUsage:")), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessageContaining("not a readable model card").hasMessageContaining("intendedUsage");
    }

    @Test
    void aBundleWithClassesIsRefused() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("code", ModelBundles.files("model-card.yaml", goodCard(), "model.onnx", onnx,
                "com/vendor/Evil.class", new byte[] {(byte) 0xCA, (byte) 0xFE}), "model-card.yaml"), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("a model bundle must not carry code, native libraries or nested archives: com/vendor/Evil.class");
    }

    @Test
    void aHeaderNamingAMissingCardIsRefused() throws Exception {
        Path jar = bundles.signed(bundles.unsigned("nocard", ModelBundles.files("model.onnx", onnx), "card.yaml"), "vendor");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage("CareBus-Model names card.yaml, which the bundle does not hold");
    }

    /** A dev-mode inspector (unsigned accepted) so each test changes one thing: the one under test. */
    private static ModelBundleInspector dev(long maxBytes) {
        return new ModelBundleInspector(VendorTrust.none(), true, maxBytes);
    }

    private static Path jar(String name, Map<String, String> extraHeaders, Map<String, byte[]> files) throws Exception {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "test.model." + name);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("CareBus-Model", "model-card.yaml");
        extraHeaders.forEach(main::putValue);
        Path jar = dir.resolve(name + "-headers.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                out.putNextEntry(new JarEntry(f.getKey()));
                out.write(f.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Bundle-Activator|evil.Activator|Bundle-Activator",
        "Service-Component|OSGI-INF/evil.xml|Service-Component",
        "Bundle-NativeCode|lib/evil.so;osname=Linux|Bundle-NativeCode",
        "Fragment-Host|io.carebus.audit|Fragment-Host",
        "DynamicImport-Package|*|DynamicImport-Package",
        "Bundle-ClassPath|.,lib/evil|Bundle-ClassPath",
        "Require-Capability|osgi.ee;filter:=\"(osgi.ee=JavaSE)\",osgi.extender;filter:=\"(osgi.extender=osgi.component)\"|osgi.extender"})
    void everyHeaderThatCouldRunOrWireCodeIsRefused(String header, String value, String named) throws Exception {
        Path jar = jar("hdr" + Math.abs(header.hashCode()), Map.of(header, value),
                ModelBundles.files("model-card.yaml", goodCard(), "model.onnx", onnx));
        assertThatThrownBy(() -> dev(1 << 20).inspect(jar)).isInstanceOf(ModelRefusedException.class).hasMessageContaining(named);
    }

    @Test
    void requiringOnlyAJavaVersionIsFine() throws Exception {
        Path jar = jar("ee", Map.of("Require-Capability", "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"", "Bundle-ClassPath", "."),
                ModelBundles.files("model-card.yaml", goodCard(), "model.onnx", onnx));
        assertThat(dev(1 << 20).inspect(jar).card().id()).isEqualTo("risk-demo");
    }

    @Test
    void aZipBombIsRefusedBeforeItIsInflated() throws Exception {
        // 64 MB of zeros deflate to about 64 KB; the cap is 1 MB, so the inspector must stop reading long before the end.
        Path jar = jar("bomb", Map.of(), ModelBundles.files("model-card.yaml", goodCard(), "model.onnx", onnx,
                "background.bin", new byte[64 * 1024 * 1024]));
        assertThat(Files.size(jar)).isLessThan(1 << 20);
        assertThatThrownBy(() -> dev(1 << 20).inspect(jar)).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("inflate to at most").hasMessageContaining("background.bin");
    }

    @Test
    void aGraphThatReadsItsWeightsFromAnExternalFileIsRefused() throws Exception {
        ModelProto model = ModelProto.parseFrom(onnx);
        TensorProto external = TensorProto.newBuilder().setName("stolen").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(4).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/users.properties")).build();
        byte[] bad = model.toBuilder().setGraph(model.getGraph().toBuilder().addInitializer(external)).build().toByteArray();
        Path jar = jar("external", Map.of(), ModelBundles.files("model-card.yaml",
                TestCards.card("1.0.0", ModelBundleInspector.sha256(bad), TestCards.selfTestExpected()), "model.onnx", bad));
        assertThatThrownBy(() -> dev(1 << 20).inspect(jar)).isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("tensor stolen keeps its data in an external file");
        assertThat(OnnxExternalData.firstExternalTensor(onnx)).isEmpty();
    }

    @Test
    void everyProblemIsListedAtOnceEachWithItsCardLine() throws Exception {
        // A class file, a missing intended use, a blank unit and a wrong hash: one refusal names all four.
        String card = goodCard().replaceFirst("intendedUse: .*\n", "").replace("unit: Cel", "unit: \"\"");
        card = card.replace(sha, "1".repeat(64));
        Path jar = bundles.signed(bundles.unsigned("many", ModelBundles.files("model-card.yaml", card, "model.onnx", onnx,
                "com/vendor/Evil.class", new byte[] {1}), "model-card.yaml"), "vendor");
        ModelBundleInspector.Inspection inspection = strict.examine(jar);
        assertThat(inspection.problems()).extracting(io.carebus.inference.check.Problem::reason).containsExactly(
                "a model bundle must not carry code, native libraries or nested archives: com/vendor/Evil.class",
                "intendedUse is required",
                "inputs.tabular[temperature].unit is required");
        String[] lines = card.split("\n");
        io.carebus.inference.check.Problem unit = inspection.problems().get(2);
        assertThat(lines[unit.line() - 1]).contains("name: temperature");
        assertThatThrownBy(() -> strict.inspect(jar)).hasMessage(String.join("; ", inspection.problems().stream()
                .map(io.carebus.inference.check.Problem::reason).toList()));
        // With the card fixed, the hash is checked too (the card must parse before its hashes can be).
        String hashOnly = goodCard().replace(sha, "1".repeat(64));
        ModelBundleInspector.Inspection second = strict.examine(bundles.signed(unsigned("hashline", hashOnly), "vendor"));
        assertThat(second.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).startsWith("sha256 of model.onnx is ");
            assertThat(hashOnly.split("\n")[p.line() - 1]).contains("sha256: " + "1".repeat(64));
        });
    }
}
