package io.carebus.modelkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits of a card's YAML text that keep the vendor's comments and layout: the {@code selfTests} block replaced as a
 * whole, and a listed file's {@code sha256} value replaced in place.
 */
final class CardText {

    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^[A-Za-z_\"'][^:]*:.*");

    private CardText() {
    }

    /** The card with its top-level {@code selfTests} block (if any) replaced by {@code block}, else with it appended. */
    static String withSelfTests(String card, String block) {
        List<String> lines = new ArrayList<>(card.lines().toList());
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("selfTests:")) {
                start = i;
                break;
            }
        }
        List<String> replacement = block.lines().toList();
        if (start < 0) {
            lines.addAll(replacement);
        } else {
            int end = start + 1;
            while (end < lines.size() && !TOP_LEVEL_KEY.matcher(lines.get(end)).matches()) {
                end++;
            }
            lines.subList(start, end).clear();
            lines.addAll(start, replacement);
        }
        return String.join("\n", lines) + "\n";
    }

    /** The card with the {@code sha256} of the file listed as {@code path} set to {@code sha256}. */
    static String withSha256(String card, String path, String sha256) {
        Matcher at = Pattern.compile("path:\\s*[\"']?" + Pattern.quote(path) + "[\"']?\\s*[,}\\n]").matcher(card);
        if (!at.find()) {
            return card;
        }
        // the sha256 of the same list item: the first after the path, before the next item's path
        int next = card.indexOf("path:", at.end());
        Matcher sha = Pattern.compile("sha256:\\s*[\"']?([^\"',}\\s#]*)[\"']?").matcher(card);
        if (sha.find(at.end()) && (next < 0 || sha.start() < next)) {
            return card.substring(0, sha.start(1)) + sha256 + card.substring(sha.end(1));
        }
        // written before the path within the item ({sha256: x, path: y}): the last sha256 before the path
        Matcher before = Pattern.compile("sha256:\\s*[\"']?([^\"',}\\s#]*)[\"']?").matcher(card.substring(0, at.start()));
        int s = -1, e = -1;
        while (before.find()) {
            s = before.start(1);
            e = before.end(1);
        }
        return s < 0 ? card : card.substring(0, s) + sha256 + card.substring(e);
    }

    /** A self-test vector in the card's flow style, numbers written so they read back exactly. */
    static String selfTest(Map<String, Double> inputs, Map<String, Double> expected, double tolerance) {
        return "  - inputs: " + flow(inputs) + "\n    expected: " + flow(expected) + "\n    tolerance: " + number(tolerance) + "\n";
    }

    private static String flow(Map<String, Double> values) {
        StringBuilder s = new StringBuilder("{");
        values.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append(k).append(": ").append(number(v)));
        return s.append('}').toString();
    }

    static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v).toLowerCase(Locale.ROOT) : ".nan";
    }
}
