package io.carebus.deid;

/** What kind of identifier the free-text detector found, and what it puts in its place by default. */
public enum PhiCategory {
    NAME("[NAME]"), PHONE("[PHONE]"), EMAIL("[EMAIL]"), URL("[URL]"), IP("[IP]"), SSN("[SSN]"), ID("[ID]"),
    /** Moved by the patient's date shift; "[DATE]" only when no patient is known. */
    DATE("[DATE]"),
    ADDRESS("[ADDRESS]"),
    /** The three-digit ZIP prefix kept (000 for the restricted ones), as in structured addresses. */
    ZIP("[ZIP]"),
    /** An age over 89: "90+". */
    AGE("90+");

    private final String tag;

    PhiCategory(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
