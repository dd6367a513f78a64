package io.carebus.deid.internal.text;

/**
 * A single left-to-right pass that cuts text into tokens: words (letters, with inner apostrophes and hyphens: O'Brien,
 * Smith-Jones), numbers (digits), alphanumerics (letters and digits mixed: 14th, A123456, x23), single punctuation
 * characters and whitespace runs. Every recognizer works on these tokens and looks a bounded number of tokens around
 * one, so the whole detection is linear in the text. A possessive "'s" is its own token, so "Osei's" yields the name
 * "Osei". With {@code hl7Escapes}, an HL7v2 escape sequence (\.br\, \T\, \X0D0A\ ...) is one whitespace token.
 */
public final class Tokens {

    public static final byte WORD = 1;
    public static final byte NUM = 2;
    public static final byte ALNUM = 3;
    public static final byte PUNCT = 4;
    public static final byte SPACE = 5;

    /** HL7v2 escape sequences are short; a backslash without a close within this many characters is punctuation. */
    private static final int MAX_ESCAPE = 16;

    final String text;
    private int count;
    private int[] starts;
    private int[] ends;
    private byte[] types;
    /** For SPACE tokens: whether the run holds a line break (or an HL7v2 escape, which usually is one). */
    private boolean[] breaks;
    private String[] lowers;

    public Tokens(String text, int limit, boolean hl7Escapes) {
        this.text = text;
        int capacity = Math.max(16, Math.min(limit, text.length()) / 3);
        starts = new int[capacity];
        ends = new int[capacity];
        types = new byte[capacity];
        breaks = new boolean[capacity];
        int i = 0;
        int n = Math.min(limit, text.length());
        while (i < n) {
            char c = text.charAt(i);
            int start = i;
            if (Character.isWhitespace(c) || c == '\u00a0') {
                boolean lineBreak = false;
                while (i < n && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == '\u00a0')) {
                    lineBreak |= text.charAt(i) == '\n' || text.charAt(i) == '\r';
                    i++;
                }
                add(start, i, SPACE, lineBreak);
            } else if (hl7Escapes && c == '\\' && escapeEnd(text, i, n) > 0) {
                i = escapeEnd(text, i, n);
                add(start, i, SPACE, true);
            } else if (Character.isLetterOrDigit(c)) {
                boolean letters = false;
                boolean digits = false;
                while (i < n) {
                    char d = text.charAt(i);
                    if (Character.isLetter(d)) {
                        letters = true;
                        i++;
                    } else if (Character.isDigit(d)) {
                        digits = true;
                        i++;
                    } else if ((d == '\'' || d == '\u2019' || d == '-') && i + 1 < n && Character.isLetter(text.charAt(i + 1))
                            && Character.isLetter(text.charAt(i - 1)) && !digits && !possessive(text, i, n)) {
                        i++;
                    } else {
                        break;
                    }
                }
                add(start, i, letters && digits ? ALNUM : digits ? NUM : WORD, false);
            } else {
                i++;
                add(start, i, PUNCT, false);
            }
        }
    }

    /** 's or ’s closing a word: its own token. */
    private static boolean possessive(String text, int i, int n) {
        char s = text.charAt(i + 1);
        return (text.charAt(i) == '\'' || text.charAt(i) == '\u2019') && (s == 's' || s == 'S')
                && (i + 2 >= n || !Character.isLetter(text.charAt(i + 2)));
    }

    /** The end (after the closing backslash) of an HL7v2 escape starting at {@code i}, or -1. */
    private static int escapeEnd(String text, int i, int n) {
        for (int j = i + 1; j < n && j <= i + MAX_ESCAPE; j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                return j > i + 1 ? j + 1 : -1;
            }
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '+' && c != '-') {
                return -1;
            }
        }
        return -1;
    }

    private void add(int start, int end, byte type, boolean lineBreak) {
        if (count == starts.length) {
            int grown = count * 2;
            starts = java.util.Arrays.copyOf(starts, grown);
            ends = java.util.Arrays.copyOf(ends, grown);
            types = java.util.Arrays.copyOf(types, grown);
            breaks = java.util.Arrays.copyOf(breaks, grown);
        }
        starts[count] = start;
        ends[count] = end;
        types[count] = type;
        breaks[count] = lineBreak;
        count++;
    }

    public int size() {
        return count;
    }

    public int start(int t) {
        return t >= count ? text.length() : starts[t];
    }

    public int end(int t) {
        return ends[t];
    }

    public byte type(int t) {
        return t >= 0 && t < count ? types[t] : 0;
    }

    public int length(int t) {
        return t < 0 || t >= count ? 0 : ends[t] - starts[t];
    }

    /** The token's text; "" past either end (recognizers look ahead without checking). */
    public String text(int t) {
        return t < 0 || t >= count ? "" : text.substring(starts[t], ends[t]);
    }

    public char first(int t) {
        return t < 0 || t >= count ? '\0' : text.charAt(starts[t]);
    }

    public boolean is(int t, char punct) {
        return t >= 0 && t < count && types[t] == PUNCT && text.charAt(starts[t]) == punct;
    }

    /** A whitespace run without a line break: words on either side belong to one line. */
    public boolean inlineSpace(int t) {
        return t >= 0 && t < count && types[t] == SPACE && !breaks[t];
    }

    public boolean space(int t) {
        return t >= 0 && t < count && types[t] == SPACE;
    }

    public boolean lineBreak(int t) {
        return t >= 0 && t < count && types[t] == SPACE && breaks[t];
    }

    /** The token's text lower-cased; computed once per token (recognizers ask for it many times). */
    public String lower(int t) {
        if (t < 0 || t >= count) {
            return "";
        }
        if (lowers == null) {
            lowers = new String[count];
        }
        String l = lowers[t];
        if (l == null) {
            l = text(t).toLowerCase(java.util.Locale.ROOT);
            lowers[t] = l;
        }
        return l;
    }

    /** The next token that is not whitespace (within the same line unless {@code crossLines}), or -1. */
    public int next(int t, boolean crossLines) {
        int u = t + 1;
        if (u < count && types[u] == SPACE) {
            if (breaks[u] && !crossLines) {
                return -1;
            }
            u++;
        }
        return u < count ? u : -1;
    }

    /** The previous token that is not whitespace (same line unless {@code crossLines}), or -1. */
    public int previous(int t, boolean crossLines) {
        int u = t - 1;
        if (u >= 0 && types[u] == SPACE) {
            if (breaks[u] && !crossLines) {
                return -1;
            }
            u--;
        }
        return u >= 0 ? u : -1;
    }

    /** Number value of a short NUM token (up to 9 digits), else -1. */
    public int number(int t) {
        if (type(t) != NUM || length(t) > 9) {
            return -1;
        }
        return Integer.parseInt(text(t));
    }
}
