package io.carebus.modelkit;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs carebus-model in-process, as a vendor would from the shell, and keeps what it printed. */
record Kit(int status, String out, String err) {

    static Kit run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = CareBusModel.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] strings = java.util.Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
        int status = cli.execute(strings);
        return new Kit(status, out.toString(), err.toString());
    }

    /** The reasons of the problem lines ("<where>: <reason>"), in order, without their location. */
    List<String> problems() {
        return out.lines().filter(l -> l.startsWith("bundle: ") || l.startsWith(ModelDirectory.CARD))
                .map(l -> l.substring(l.indexOf(": ") + 2)).toList();
    }

    @Override
    public String toString() {
        return "status " + status + "\n" + out + err;
    }
}
