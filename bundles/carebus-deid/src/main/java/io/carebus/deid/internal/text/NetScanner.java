package io.carebus.deid.internal.text;

import io.carebus.deid.PhiCategory;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * E-mail addresses, URLs and IP addresses: each lies inside one run of non-blank characters, so one pass over those
 * runs finds them (every character is looked at a bounded number of times: linear).
 */
final class NetScanner {

    private static final String OPENERS = "([<{\"'";
    private static final String CLOSERS = ".,;:!?)]}>\"'";
    private static final Set<String> TLDS = Set.of("com", "org", "net", "edu", "gov", "mil", "int", "io", "us", "info", "health",
            "co", "uk", "biz", "me", "app", "ly", "de", "ca", "fr", "nl", "au", "in", "jp", "ch", "se", "no", "dk", "es", "it", "ie",
            "nz", "care", "clinic", "hospital", "doctor", "online", "site", "xyz", "tv", "ai", "dev", "cloud", "med", "eu");

    private NetScanner() {
    }

    static void scan(String text, int limit, List<Found> out) {
        int n = Math.min(limit, text.length());
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int a = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            chunk(text, a, i, out);
        }
    }

    private static void chunk(String text, int a, int b, List<Found> out) {
        int s = a;
        int e = b;
        while (s < e && OPENERS.indexOf(text.charAt(s)) >= 0) {
            s++;
        }
        while (e > s && CLOSERS.indexOf(text.charAt(e - 1)) >= 0) {
            e--;
        }
        if (e - s < 4) {
            return;
        }
        String lower = text.substring(s, Math.min(e, s + 8)).toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("ftp://") || lower.startsWith("www.")) {
            out.add(new Found(s, e, PhiCategory.URL));
            return;
        }
        // every search stays inside this chunk: a search to the end of the text per chunk would be quadratic
        int at = indexOf(text, '@', s, e);
        if (at >= 0) {
            int ls = at;
            while (ls > s && localChar(text.charAt(ls - 1))) {
                ls--;
            }
            int de = at + 1;
            int lastDot = -1;
            while (de < e && (Character.isLetterOrDigit(text.charAt(de)) || text.charAt(de) == '.' || text.charAt(de) == '-')) {
                if (text.charAt(de) == '.') {
                    lastDot = de;
                }
                de++;
            }
            while (de > at + 1 && text.charAt(de - 1) == '.') {
                de--;
            }
            if (ls < at && lastDot > at + 1 && lastDot < de - 2) {
                out.add(new Found(ls, de, PhiCategory.EMAIL));
                if (de < e) {
                    chunk(text, de, b, out);
                }
                return;
            }
        }
        if (ip4(text, s, e) || ip6(text, s, e)) {
            out.add(new Found(s, e, PhiCategory.IP));
            return;
        }
        if (bareUrl(text, s, e)) {
            out.add(new Found(s, e, PhiCategory.URL));
        }
    }

    private static int indexOf(String text, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean localChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    /** Four dotted numbers up to 255, optionally a port. */
    private static boolean ip4(String text, int s, int e) {
        int groups = 0;
        int value = -1;
        int digits = 0;
        for (int i = s; i < e; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value) * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return false;
                }
            } else if (c == '.' && digits > 0 && groups < 3) {
                groups++;
                digits = 0;
                value = -1;
            } else if (c == ':' && groups == 3 && digits > 0) {
                for (int j = i + 1; j < e; j++) {
                    if (text.charAt(j) < '0' || text.charAt(j) > '9') {
                        return false;
                    }
                }
                return i + 1 < e;
            } else {
                return false;
            }
        }
        return groups == 3 && digits > 0;
    }

    /** Hex groups and colons with "::" or a group of three or more (so a time 10:30:45 is not one). */
    private static boolean ip6(String text, int s, int e) {
        int colons = 0;
        int group = 0;
        boolean long3 = false;
        boolean hexLetter = false;
        for (int i = s; i < e; i++) {
            char c = text.charAt(i);
            if (c == ':') {
                colons++;
                group = 0;
            } else if (Character.digit(c, 16) >= 0) {
                hexLetter |= !Character.isDigit(c);
                if (++group >= 3) {
                    long3 = true;
                }
                if (group > 4) {
                    return false;
                }
            } else {
                return false;
            }
        }
        boolean doubleColon = false;
        for (int i = s; i + 1 < e && !doubleColon; i++) {
            doubleColon = text.charAt(i) == ':' && text.charAt(i + 1) == ':';
        }
        return colons >= 2 && (doubleColon || long3 && hexLetter && colons >= 3);
    }

    /** host.tld or host.tld/path: at least two labels with letters, a known top-level domain. */
    private static boolean bareUrl(String text, int s, int e) {
        int slash = indexOf(text, '/', s, e);
        int hostEnd = slash >= 0 ? slash : e;
        int dot = -1;
        for (int i = hostEnd - 1; i > s && dot < 0; i--) {
            if (text.charAt(i) == '.') {
                dot = i;
            }
        }
        if (dot <= s || dot >= hostEnd - 1) {
            return false;
        }
        for (int i = s; i < hostEnd; i++) {
            char c = text.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '-') {
                return false;
            }
        }
        if (!Character.isLetter(text.charAt(s)) || text.charAt(dot - 1) == '.') {
            return false;
        }
        return TLDS.contains(text.substring(dot + 1, hostEnd).toLowerCase(Locale.ROOT));
    }
}
