package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.dicom.internal.net.Pdu;
import io.carebus.dicom.internal.net.RawPeer;
import io.carebus.dicom.internal.net.ScuAssociation;
import io.carebus.dicom.internal.net.StoreService;
import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SCP under the attacks of issue 20: attackers connect from 127.0.0.2 and up, the legitimate peer from 127.0.0.1.
 */
class ScpLimitsTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DicomGateway gateway;
    private final List<Long> dispatched = new CopyOnWriteArrayList<>();
    private final List<Socket> attackers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
    }

    private void gateway(Map<String, Object> settings) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("port", 0, "bind_address", "127.0.0.1", "storage_dir",
                dir.resolve("dicom").toString(), "min_free_mb", 1L, "idle_timeout_seconds", 5));
        values.putAll(settings);
        gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(values)), store, store.database(), (id, study) -> dispatched.add(id));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : attackers) {
            s.close();
        }
        if (gateway != null) {
            gateway.deactivate();
        }
        store.close();
    }

    /** A connection from {@code address} that never sends a byte. */
    private Socket stalled(String address) throws IOException {
        Socket socket = new Socket();
        attackers.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
        return socket;
    }

    private static String attacker(int i) {
        return "127.0." + (1 + i / 200) + "." + (2 + i % 200);
    }

    private ScuAssociation legitimate() throws IOException {
        return ScuAssociation.open(SocketFactory.getDefault(), "127.0.0.1", gateway.port(), "MODALITY", "CAREBUS",
                List.of(new ScuAssociation.Offer(TestImages.CT, List.of(TestImages.EXPLICIT_LE))), 2000);
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long associationThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("carebus-dicom-association")).count();
    }

    @Test
    void aThousandStalledSocketsDoNotStopAnEchoFromAnotherAddress() throws Exception {
        gateway(Map.of());
        long before = heapAfterGc();
        for (int i = 0; i < 1000; i++) {
            stalled(attacker(i));
        }
        long started = System.nanoTime();
        try (ScuAssociation echo = legitimate()) {
            assertThat(echo.echo()).isZero();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(heapAfterGc() - before).isLessThan(50L << 20);
    }

    @Test
    void negotiatingSocketsTakeNoSessionThreadAndAssociationsBeyondTheCapAreRejected() throws Exception {
        gateway(Map.of("max_associations", 2));
        for (int i = 0; i < 100; i++) {
            stalled(attacker(i));
        }
        try (ScuAssociation first = legitimate(); ScuAssociation second = legitimate()) {
            assertThat(first.echo()).isZero();
            assertThat(second.echo()).isZero();
            assertThat(associationThreads()).isLessThanOrEqualTo(2);
            // rejected-transient, service provider (presentation), local limit exceeded
            assertThatThrownBy(this::legitimate).isInstanceOf(ScuAssociation.RefusedException.class)
                    .hasMessageContaining("result 2, source 3, reason 2");
        }
    }

    @Test
    void aStalledSocketIsClosedAfterArtimWhileAnotherPeerIsServed() throws Exception {
        gateway(Map.of("artim_timeout_seconds", 1));
        Socket idle = stalled("127.0.0.2");
        long opened = System.nanoTime();
        try (ScuAssociation echo = legitimate()) {
            assertThat(echo.echo()).isZero();
        }
        idle.setSoTimeout(4000);
        // closed without a byte: not the idle-timeout A-ABORT (5 s) of an association
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofMillis(900), Duration.ofMillis(3000));
    }

    @Test
    void connectionsBeyondThePerAddressCapAreClosedAtAccept() throws Exception {
        gateway(Map.of("max_associations_per_address", 2, "artim_timeout_seconds", 30));
        stalled("127.0.0.3");
        stalled("127.0.0.3");
        Socket third = stalled("127.0.0.3");
        third.setSoTimeout(2000);
        assertThat(third.getInputStream().read()).isEqualTo(-1);
        Socket otherAddress = stalled("127.0.0.4");
        otherAddress.setSoTimeout(300);
        assertThatThrownBy(() -> otherAddress.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        try (ScuAssociation echo = legitimate()) {
            assertThat(echo.echo()).isZero();
        }
    }

    @Test
    void aCommandFragmentFloodIsAbortedAndEchoStillServed() throws Exception {
        gateway(Map.of());
        try (RawPeer flood = RawPeer.connect("127.0.0.2", gateway.port())) {
            flood.send(RawPeer.associateRequest("FLOOD", "CAREBUS", 0));
            assertThat(flood.read().type()).isEqualTo(Pdu.ASSOCIATE_AC);
            // cut off long before 256 MB: what got through sits in socket buffers, a few MB at most
            assertThat(flood.flood(256L << 20)).isBetween(1L, 32L << 20);
        }
        try (ScuAssociation echo = legitimate()) {
            assertThat(echo.echo()).isZero();
        }
    }

    @Test
    void anAssociateRequestOverTheCapIsAborted() throws Exception {
        gateway(Map.of());
        try (RawPeer big = RawPeer.connect("127.0.0.2", gateway.port())) {
            big.send(RawPeer.associateRequest("BIG", "CAREBUS", 100 * 1024));
            Pdu answer = big.read();
            assertThat(answer).isNotNull();
            assertThat(answer.type()).isEqualTo(Pdu.ABORT);
        }
        try (RawPeer small = RawPeer.connect("127.0.0.2", gateway.port())) {
            small.send(RawPeer.associateRequest("SMALL", "CAREBUS", 32 * 1024));
            assertThat(small.read().type()).isEqualTo(Pdu.ASSOCIATE_AC);
        }
    }

    @Test
    void anOversizeInstanceGetsA700IsNotKeptAndTheAssociationGoesOn() throws Exception {
        gateway(Map.of("max_instance_mb", 1L));
        Path big = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 1024, (x, y) -> x), dir.resolve("big.dcm"));
        Path small = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 16, (x, y) -> x), dir.resolve("small.dcm"));
        try (ScuAssociation scu = legitimate()) {
            ScuAssociation.Response refused = scu.store(TestImages.CT, ScpTest.sopInstanceOf(big), TestImages.EXPLICIT_LE,
                    new ByteArrayInputStream(ScpTest.dataSet(Files.readAllBytes(big))));
            assertThat(refused.status()).isEqualTo(StoreService.Status.OUT_OF_RESOURCES);
            assertThat(scu.store(TestImages.CT, ScpTest.sopInstanceOf(small), TestImages.EXPLICIT_LE,
                    new ByteArrayInputStream(ScpTest.dataSet(Files.readAllBytes(small)))).status())
                    .isEqualTo(StoreService.Status.SUCCESS);
        }
        assertThat(dispatched).hasSize(1);
        for (String folder : List.of("incoming", "rejected")) {
            try (Stream<Path> files = Files.list(dir.resolve("dicom").resolve(folder))) {
                assertThat(files).as(folder).isEmpty();
            }
        }
    }
}
