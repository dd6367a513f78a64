package io.carebus.api;

import java.util.regex.Pattern;

/**
 * The one check every XML intake makes before a parser sees the text: FHIR XML (and any other XML CareBus takes)
 * never needs a DTD, so a DOCTYPE or ENTITY declaration is refused outright. That closes external entities (XXE) and
 * entity-expansion bombs whatever the parser and its settings. Used by {@code /fhir} and the de-identification
 * try-it ({@code POST /api/deid}) and step.
 */
public final class XmlDeclarations {

    /** What the refusal says (no part of the text: it may be PHI). */
    public static final String REFUSAL = "XML with a DOCTYPE or ENTITY declaration is not accepted";

    // Linear: a literal, a possessive run of white space, two literals. Generous on purpose (XML allows no space
    // after "<!"; a parser might).
    private static final Pattern DTD = Pattern.compile("<!\\s*+(DOCTYPE|ENTITY)", Pattern.CASE_INSENSITIVE);

    private XmlDeclarations() {
    }

    /** Whether the (decoded) XML text holds a DOCTYPE or ENTITY declaration anywhere. */
    public static boolean declaresDtd(CharSequence xml) {
        return xml != null && DTD.matcher(xml).find();
    }
}
