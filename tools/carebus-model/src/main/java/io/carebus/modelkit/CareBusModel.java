package io.carebus.modelkit;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code carebus-model}: the model vendor's kit. From an ONNX file to a signed model bundle the appliance accepts,
 * checked before shipping with the appliance's own checks (docs/vendor-guide.md).
 */
@Command(name = "carebus-model", mixinStandardHelpOptions = true, version = "carebus-model 0.1.0",
        description = "Turns an ONNX file and a model card into a signed, validated CareBus model bundle.",
        subcommands = {InitCommand.class, SelfTestCommand.class, ValidateCommand.class, PackCommand.class, KeysCommand.class,
                TryCommand.class, CommandLine.HelpCommand.class})
public final class CareBusModel {

    /** Exit status: the input is fine. */
    static final int OK = 0;
    /** Exit status: the appliance would refuse it (the problems are listed). */
    static final int REFUSED = 1;
    /** Exit status: the command could not do its work (bad arguments, unreadable files). */
    static final int FAILED = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand, for main and for tests that capture its output. */
    public static CommandLine commandLine() {
        return new CommandLine(new CareBusModel()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("carebus-model: " + e.getMessage());
            return FAILED;
        });
    }
}
