package io.carebus.inference.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carebus.inference.check.Problem;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each field of a model card is written: one streaming pass over the YAML records the line of every field and
 * list element by its JSON pointer, so a problem about {@code /inputs/tabular/2/unit} can name its line (or, for a
 * field that is missing, the line of its nearest parent that is there).
 */
final class CardLines {

    private final Map<String, Integer> lines = new HashMap<>();

    private CardLines() {
    }

    static CardLines of(byte[] yaml) {
        CardLines cardLines = new CardLines();
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            // Each open container on the stack: its pointer, and for arrays the index of the next element.
            Deque<String> paths = new ArrayDeque<>();
            Deque<int[]> indexes = new ArrayDeque<>();
            String pendingField = null;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (token == JsonToken.FIELD_NAME) {
                    pendingField = (paths.isEmpty() ? "" : paths.peek()) + "/" + escape(parser.currentName());
                    cardLines.lines.putIfAbsent(pendingField, line);
                    continue;
                }
                String here;
                if (pendingField != null) {
                    here = pendingField;
                    pendingField = null;
                } else if (!indexes.isEmpty() && indexes.peek() != null && indexes.peek().length == 1 && indexes.peek()[0] >= 0) {
                    here = paths.peek() + "/" + indexes.peek()[0]++;
                    cardLines.lines.putIfAbsent(here, line);
                } else {
                    here = "";
                }
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    paths.push(here);
                    indexes.push(new int[] {token == JsonToken.START_ARRAY ? 0 : -1});
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    paths.pop();
                    indexes.pop();
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable card has no lines to give; the parse error names its own location.
        }
        return cardLines;
    }

    /** The line of {@code pointer}, or of its nearest parent written in the card; 0 when none is. */
    int lineOf(String pointer) {
        String p = pointer;
        while (p != null && !p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? null : p.substring(0, slash);
        }
        return 0;
    }

    List<Problem> locate(List<Problem> problems) {
        return problems.stream().map(p -> p.field() == null || p.line() > 0 ? p : p.withLine(lineOf(p.field()))).toList();
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
