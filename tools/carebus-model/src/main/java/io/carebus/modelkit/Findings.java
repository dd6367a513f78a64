package io.carebus.modelkit;

import io.carebus.inference.check.Problem;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command found, printed compiler-style: {@code model-card.yaml:12: <reason>} for a card field,
 * {@code bundle: <reason>} for the jar. Reasons are the appliance's own words.
 */
final class Findings {

    private final List<Problem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void problems(List<Problem> found) {
        problems.addAll(found);
    }

    void problem(Problem p) {
        problems.add(p);
    }

    void warnings(List<String> found) {
        warnings.addAll(found);
    }

    void note(String note) {
        notes.add(note);
    }

    boolean clean() {
        return problems.isEmpty();
    }

    List<Problem> problems() {
        return problems;
    }

    /**
     * The vendor kit's own check, beyond the appliance's: {@code init} marks what the vendor must write with TODO,
     * and a card that still says TODO anywhere is not finished (the appliance would take a "TODO" code as a code).
     */
    static List<Problem> todos(byte[] card) {
        List<Problem> found = new ArrayList<>();
        String[] lines = new String(card, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("TODO")) {
                found.add(new Problem("still a TODO (carebus-model init left it for you to fill in): " + lines[i].strip(), "/", i + 1));
            }
        }
        return found;
    }

    /** Prints everything and returns the exit status. */
    int print(PrintWriter out, String okLine, String refusedWhat) {
        for (Problem p : problems) {
            out.println((p.line() > 0 ? ModelDirectory.CARD + ":" + p.line() : p.field() != null ? ModelDirectory.CARD : "bundle")
                    + ": " + p.reason());
        }
        for (String w : warnings) {
            out.println("warning: " + w);
        }
        for (String n : notes) {
            out.println("note: " + n);
        }
        if (problems.isEmpty()) {
            out.println(okLine);
            out.flush();
            return CareBusModel.OK;
        }
        out.println("REFUSED: " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + ": " + refusedWhat);
        out.flush();
        return CareBusModel.REFUSED;
    }
}
