package io.carebus.bench.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MLLP load generator: N connections, each sending its share of M messages one after the other (send, wait for the
 * ACK), from a mix of ADT^A01 and ORU^R01 samples with unique control ids. Reports messages/s and ACK latency
 * p50/p99, and counts answers that are not AA.
 *
 * <p>Usage: {@code MllpLoad <label> <host> <port> <connections> <messages> [oruShare 0..1]}
 */
public final class MllpLoad {

    private static final String ADT = "MSH|^~\\&|REG|HOSP|CAREBUS|HOSP|20261101120000||ADT^A01^ADT_A01|%s|P|2.5\r"
            + "EVN||20261101120000\rPID|1||MRN%d^^^HOSP^MR||Doe^Jane^Q||19800101|F|||1 Main St^^Springfield^IL^62701\r"
            + "PV1|1|I|ICU^101^A|||||1234^Smith^John\r";
    private static final String ORU = "MSH|^~\\&|LAB|HOSP|CAREBUS|HOSP|20261101120500||ORU^R01^ORU_R01|%s|P|2.5.1\r"
            + "PID|1||MRN%d^^^HOSP^MR||Doe^Jane\rOBR|1||LAB%d|24331-1^Lipid panel^LN|||20261101120000\r"
            + "OBX|1|NM|2093-3^Cholesterol^LN||195|mg/dL|<200|N|||F\rOBX|2|NM|2571-8^Triglyceride^LN||140|mg/dL|<150|N|||F\r"
            + "OBX|3|NM|2085-9^HDL^LN||55|mg/dL|>40|N|||F\r";

    private MllpLoad() {
    }

    public static void main(String[] args) throws Exception {
        String label = args[0];
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        int messages = Integer.parseInt(args[4]);
        double oruShare = args.length > 5 ? Double.parseDouble(args[5]) : 0.5;
        String runId = Long.toString(System.currentTimeMillis(), 36);

        int perConnection = messages / connections;
        long[][] latencies = new long[connections][perConnection];
        AtomicLong notAa = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < connections; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket(host, port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
                    ready.countDown();
                    go.await();
                    for (int i = 0; i < perConnection; i++) {
                        String id = runId + "-" + conn + "-" + i;
                        boolean oru = (i * 7919 + conn) % 100 < oruShare * 100;
                        String msg = oru ? String.format(ORU, id, i, i) : String.format(ADT, id, i);
                        long t0 = System.nanoTime();
                        out.write(frame(msg));
                        out.flush();
                        String ack = readFrame(in);
                        latencies[conn][i] = System.nanoTime() - t0;
                        if (!ack.contains("\rMSA|AA|" + id) && !ack.contains("\rMSA|CA|" + id)) {
                            notAa.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                    ready.countDown();
                }
            }, "load-" + c);
            threads.add(t);
            t.start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " connections failed, first: " + failures.get(0), failures.get(0));
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("RESULT %s connections=%d messages=%d msgs/s=%.0f p50_ms=%.2f p99_ms=%.2f not_AA=%d%n",
                label, connections, all.length, all.length / seconds, all[all.length / 2] / 1e6,
                all[(int) (all.length * 0.99)] / 1e6, notAa.get());
    }

    private static byte[] frame(String message) {
        byte[] body = message.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 3);
        out.write(0x0b);
        out.writeBytes(body);
        out.write(0x1c);
        out.write(0x0d);
        return out.toByteArray();
    }

    private static String readFrame(InputStream in) throws IOException {
        int b = in.read();
        while (b != 0x0b) {
            if (b < 0) {
                throw new IOException("connection closed before an answer");
            }
            b = in.read();
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream(256);
        while ((b = in.read()) != 0x1c) {
            if (b < 0) {
                throw new IOException("connection closed inside an answer");
            }
            answer.write(b);
        }
        in.read(); // the CR after FS
        return answer.toString(StandardCharsets.ISO_8859_1);
    }
}
