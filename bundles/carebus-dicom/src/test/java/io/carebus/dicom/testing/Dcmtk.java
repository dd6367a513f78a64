package io.carebus.dicom.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a dcmtk tool with TCP_NODELAY=1 (dcmtk sets it only then) and returns its exit code and output. */
public final class Dcmtk {

    public record Result(int exitCode, String output) {
    }

    private Dcmtk() {
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("TCP_NODELAY", "1");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public static Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("TCP_NODELAY", "1");
        return builder.start();
    }
}
