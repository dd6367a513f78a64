package io.carebus.inference.internal;

import io.carebus.inference.check.ModelCheckException;
import io.carebus.inference.check.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link io.carebus.inference.check.CardCompatibility}: what a new version of a model changes that routes, results
 * or stored history depend on. Features are read from FHIR by code, unit, window and aggregate, so changing any of
 * them changes what the model is given; outputs are read by label and become FHIR resources by type and code.
 */
public final class CardCompatibilityCheck {

    private CardCompatibilityCheck() {
    }

    public static List<Problem> breakingChanges(byte[] previousCard, byte[] card) throws ModelCheckException {
        CardReader reader = new CardReader();
        CardDocument before;
        CardDocument after;
        try {
            before = reader.parse(previousCard);
            after = reader.parse(card);
        } catch (InvalidCardException e) {
            throw new ModelCheckException(e.problems());
        }
        List<Problem> p = new ArrayList<>();
        if (!Objects.equals(before.id(), after.id())) {
            return p; // another model id: a new model, free to differ
        }
        if (compareVersions(after.version(), before.version()) <= 0) {
            p.add(Problem.at("/version", "version " + after.version() + " is not later than the previous version " + before.version()));
        }
        boolean wasTabular = before.inputs() != null && before.inputs().tabular() != null;
        boolean isTabular = after.inputs() != null && after.inputs().tabular() != null;
        if (wasTabular != isTabular) {
            p.add(Problem.at("/inputs", "inputs change from " + (wasTabular ? "tabular features" : "an image") + " to "
                    + (isTabular ? "tabular features" : "an image")));
        } else if (isTabular) {
            tabular(before.inputs().tabular(), after.inputs().tabular(), p);
        } else if (before.inputs() != null && after.inputs() != null) {
            image(before.inputs().image(), after.inputs().image(), p);
        }
        outputs(before.outputs() == null ? List.of() : before.outputs(), after.outputs() == null ? List.of() : after.outputs(), p);
        return CardLines.of(card).locate(p);
    }

    private static void tabular(List<CardDocument.TabularFeature> before, List<CardDocument.TabularFeature> after, List<Problem> p) {
        Map<String, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < after.size(); i++) {
            position.putIfAbsent(after.get(i).name(), i);
        }
        for (CardDocument.TabularFeature old : before) {
            Integer i = position.get(old.name());
            if (i == null) {
                p.add(Problem.at("/inputs/tabular", "input feature " + old.name() + " is removed"));
                continue;
            }
            CardDocument.TabularFeature now = after.get(i);
            String at = "/inputs/tabular/" + i;
            changed(p, at + "/code", old.name(), "code", old.code(), now.code());
            changed(p, at + "/unit", old.name(), "unit", old.unit(), now.unit());
            changed(p, at + "/window", old.name(), "window", old.window(), now.window());
            changed(p, at + "/aggregate", old.name(), "aggregate", aggregate(old.aggregate()), aggregate(now.aggregate()));
            if (old.defaultValue() != null && now.defaultValue() == null) {
                p.add(Problem.at(at, "input feature " + old.name() + " loses its default " + old.defaultValue()
                        + ": requests without it now give insufficient data"));
            }
        }
        Map<String, CardDocument.TabularFeature> old = before.stream()
                .collect(Collectors.toMap(CardDocument.TabularFeature::name, Function.identity(), (a, b) -> a));
        for (int i = 0; i < after.size(); i++) {
            CardDocument.TabularFeature f = after.get(i);
            if (!old.containsKey(f.name()) && f.defaultValue() == null) {
                p.add(Problem.at("/inputs/tabular/" + i, "input feature " + f.name()
                        + " is added without a default: requests that have no " + f.name() + " now give insufficient data"));
            }
        }
    }

    private static void image(CardDocument.ImageSpec before, CardDocument.ImageSpec after, List<Problem> p) {
        if (before == null || after == null) {
            return;
        }
        changed(p, "/inputs/image/modality", "image", "modality", before.modality(), after.modality());
        changed(p, "/inputs/image/bodyPart", "image", "bodyPart", before.bodyPart(), after.bodyPart());
        changed(p, "/inputs/image/width", "image", "width", before.width(), after.width());
        changed(p, "/inputs/image/height", "image", "height", before.height(), after.height());
        changed(p, "/inputs/image/windowCenter", "image", "windowCenter", before.windowCenter(), after.windowCenter());
        changed(p, "/inputs/image/windowWidth", "image", "windowWidth", before.windowWidth(), after.windowWidth());
        changed(p, "/inputs/image/normalisation", "image", "normalisation", before.normalisation(), after.normalisation());
    }

    private static void outputs(List<CardDocument.Output> before, List<CardDocument.Output> after, List<Problem> p) {
        for (CardDocument.Output old : before) {
            int i = indexOf(after, old.label());
            if (i < 0) {
                p.add(Problem.at("/outputs", "output " + old.label() + " is removed"));
                continue;
            }
            CardDocument.Output now = after.get(i);
            String at = "/outputs/" + i;
            changed(p, at + "/type", "output " + old.label(), "type", old.type(), now.type());
            changed(p, at + "/fhirResource", "output " + old.label(), "fhirResource", old.fhirResource(), now.fhirResource());
            changed(p, at + "/code", "output " + old.label(), "code", old.code(), now.code());
        }
    }

    private static int indexOf(List<CardDocument.Output> outputs, String label) {
        for (int i = 0; i < outputs.size(); i++) {
            if (Objects.equals(outputs.get(i).label(), label)) {
                return i;
            }
        }
        return -1;
    }

    private static String aggregate(String a) {
        return a == null ? "last" : a;
    }

    private static void changed(List<Problem> p, String at, String what, String field, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            p.add(Problem.at(at, (what.startsWith("output") || what.equals("image") ? what : "input feature " + what) + ": " + field
                    + " changes from " + before + " to " + after));
        }
    }

    /** Dotted versions compared part by part, numerically where both parts are numbers. */
    static int compareVersions(String a, String b) {
        String[] x = String.valueOf(a).split("[.-]");
        String[] y = String.valueOf(b).split("[.-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String u = i < x.length ? x[i] : "0";
            String v = i < y.length ? y[i] : "0";
            int c = u.matches("\\d{1,9}") && v.matches("\\d{1,9}") ? Integer.compare(Integer.parseInt(u), Integer.parseInt(v)) : u.compareTo(v);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
