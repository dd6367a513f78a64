package io.carebus.bench.dicom;

import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.Orthanc;
import io.carebus.dicom.testing.TestImages;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DICOM ingest: storescu (TCP_NODELAY=1) of N generated 512×512 16-bit CT instances to CareBus (the running appliance,
 * store-before-success: file forced to disk, store row committed, audit record committed, before each Success), to
 * dcmtk's storescp (writes the file, no fsync, no index) and to Orthanc (file + SQLite index), in the same run; on one
 * association, then on 4 at once. Every peer gets the same files.
 * Usage: DicomBench <instances> <CareBus DICOM port> <work dir>
 */
public final class DicomBench {

    private DicomBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        int carebusPort = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        System.out.printf("generating %d CT instances 512x512x16 bit...%n", count);
        List<Path> files = TestImages.ctSeries(Files.createDirectories(work.resolve("instances")), count, 512);
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        System.out.printf("%d instances, %.1f MB%n", count, bytes / 1e6);

        int storescpPort = Orthanc.freePort();
        Process storescp = Dcmtk.start(List.of("storescp", "-od", Files.createDirectories(work.resolve("storescp")).toString(),
                String.valueOf(storescpPort)));
        awaitPort(storescpPort);
        try (Orthanc orthanc = Orthanc.start(Files.createDirectories(work.resolve("orthanc")))) {
            String[] peers = {"CareBus", "storescp", "Orthanc"};
            int[] ports = {carebusPort, storescpPort, orthanc.dicomPort()};
            String[] aes = {"CAREBUS", "ANY-SCP", Orthanc.AE};
            for (int associations : new int[] {1, 4}) {
                double[] rates = new double[3];
                // warm-up round on each peer (JIT, caches), then the measured round
                for (int p = 0; p < 3; p++) {
                    send(files.subList(0, Math.min(20, files.size())), aes[p], ports[p], 1);
                    rates[p] = send(files, aes[p], ports[p], associations);
                    System.out.printf(Locale.ROOT, "%-9s %d association(s): %8.1f instances/s%n", peers[p], associations, rates[p]);
                }
                System.out.printf(Locale.ROOT, "ratio %d association(s): CareBus/storescp = %.2f, CareBus/Orthanc = %.2f%n",
                        associations, rates[0] / rates[1], rates[0] / rates[2]);
            }
        } finally {
            storescp.destroy();
        }
    }

    /** Sends the files over {@code associations} storescu processes at once; instances/s. */
    private static double send(List<Path> files, String ae, int port, int associations) throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (int a = 0; a < associations; a++) {
            commands.add(new ArrayList<>(List.of("storescu", "-aet", "BENCH", "-aec", ae, "127.0.0.1", String.valueOf(port))));
        }
        for (int i = 0; i < files.size(); i++) {
            commands.get(i % associations).add(files.get(i).toString());
        }
        long start = System.nanoTime();
        List<Process> running = new ArrayList<>();
        for (List<String> command : commands) {
            running.add(Dcmtk.start(command));
        }
        for (Process p : running) {
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("storescu to " + ae + " failed: " + out);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return files.size() / seconds;
    }

    private static void awaitPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }
}
