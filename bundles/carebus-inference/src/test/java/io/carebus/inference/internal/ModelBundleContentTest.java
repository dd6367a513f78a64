package io.carebus.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.models.tools.ModelBundles;
import io.carebus.models.tools.OnnxGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model bundle is data: signed bundles that carry a native library or a nested archive are refused, and so is a
 * signed bundle to which an entry was added after signing (an unsigned entry).
 */
class ModelBundleContentTest {

    @TempDir
    static Path dir;

    static ModelBundles bundles;
    static ModelBundleInspector strict;
    static byte[] onnx;
    static String card;

    @BeforeAll
    static void keys() throws Exception {
        bundles = new ModelBundles(dir);
        strict = new ModelBundleInspector(VendorTrust.load(bundles.trustStore(), ModelBundles.PASSWORD), false);
        onnx = OnnxGraphs.logisticRegression(TestCards.WEIGHTS, TestCards.BIAS);
        card = TestCards.card("1.0.0", ModelBundleInspector.sha256(onnx), TestCards.selfTestExpected());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lib/linux-x86_64/libevil.so", "native/evil.dll", "lib/helper.jar", "data/more.zip", "Evil.class"})
    void aSignedBundleCarryingCodeNativeLibrariesOrNestedArchivesIsRefused(String entry) throws Exception {
        Path jar = bundles.signed(bundles.unsigned("carry-" + entry.replaceAll("\\W", "-"), ModelBundles.files("model-card.yaml", card,
                "model.onnx", onnx, entry, new byte[] {0x7f, 'E', 'L', 'F'}), "model-card.yaml"), "vendor");
        assertThat(ModelBundles.isSigned(jar)).isTrue();
        assertThatThrownBy(() -> strict.inspect(jar)).isInstanceOf(ModelRefusedException.class)
                .hasMessage("a model bundle must not carry code, native libraries or nested archives: " + entry);
    }

    @ParameterizedTest
    @ValueSource(strings = {"extra/notes.txt", "zzz-after-signing.yaml"})
    void anEntryAddedAfterSigningIsRefused(String added) throws Exception {
        Path signed = bundles.signed(bundles.unsigned("added-" + added.replaceAll("\\W", "-"),
                ModelBundles.files("model-card.yaml", card, "model.onnx", onnx), "model-card.yaml"), "vendor");
        assertThat(strict.inspect(signed).signer()).contains("CN=Demo Vendor");
        Path jar = dir.resolve("with-unsigned-" + signed.getFileName());
        try (ZipFile in = new ZipFile(signed.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(in.getInputStream(e).readAllBytes());
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry(added));
            out.write("not signed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        assertThatThrownBy(() -> strict.inspect(jar)).isInstanceOf(ModelRefusedException.class).hasMessageStartingWith("tampered")
                .hasMessageContaining(added);
    }
}
