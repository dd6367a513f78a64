package io.carebus.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MllpClientTest {

    @Test
    void framesWithVtAndFsCrAndReadsTheAckOfEachMessage() throws Exception {
        List<byte[]> received = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    for (String code : List.of("AA", "AE")) {
                        String msg = MllpClient.readFrame(in);
                        received.add(msg.getBytes(StandardCharsets.ISO_8859_1));
                        String id = msg.split("\r")[0].split("\\|")[9];
                        out.write(MllpClient.frame("MSH|^~\\&|CAREBUS|X|A|B|20260101||ACK|1|P|2.5.1\rMSA|" + code + "|" + id + "\r"));
                        out.flush();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            peer.start();
            try (MllpClient client = new MllpClient("127.0.0.1", server.getLocalPort(), 5000)) {
                assertThat(MllpClient.ackCode(client.send("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|c1|P|2.5.1\r"), "c1")).isEqualTo("AA");
                assertThat(MllpClient.ackCode(client.send("MSH|^~\\&|A|B|C|D|20260101||ORU^R01|c2|P|2.5.1\r"), "c2")).isEqualTo("AE");
            }
            peer.join(5000);
        }
        assertThat(new String(received.get(0), StandardCharsets.ISO_8859_1)).startsWith("MSH|").endsWith("|c1|P|2.5.1\r");
        assertThat(MllpClient.frame("X")).containsExactly(0x0b, 'X', 0x1c, 0x0d);
    }

    @Test
    void anAckForAnotherMessageIsNotAnAa() {
        assertThat(MllpClient.ackCode("MSH|^~\\&|X\rMSA|AA|other\r", "mine")).contains("not the control id");
        assertThat(MllpClient.ackCode("MSH|^~\\&|X\r", "mine")).isEqualTo("no MSA segment");
    }

    @Test
    void aTruncatedFrameIsAnError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpClient.readFrame(new ByteArrayInputStream(new byte[] {0x0b, 'M', 'S'})))
                .hasMessageContaining("inside an acknowledgement");
    }
}
