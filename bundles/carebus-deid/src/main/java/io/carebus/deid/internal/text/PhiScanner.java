package io.carebus.deid.internal.text;

import static io.carebus.deid.internal.text.Tokens.ALNUM;
import static io.carebus.deid.internal.text.Tokens.NUM;
import static io.carebus.deid.internal.text.Tokens.PUNCT;
import static io.carebus.deid.internal.text.Tokens.WORD;

import io.carebus.deid.PhiCategory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds identifiers in free text in one pass over its tokens. At each token the recognizers (address, age, dates,
 * numbers, names by their cue words) look at most a fixed number of tokens ahead or behind, and the pass resumes after
 * whatever matched, so the work is linear in the text. A second linear pass marks every other occurrence of a name
 * already found (or given by the structured fields) and the capitalised words right next to a name.
 */
public final class PhiScanner {

    // word lists the recognizers compare with, built once
    private static final Set<String> WORDS_1 = Set.of("x", "ext", "extension", "ex");
    private static final Set<String> WORDS_2 = Set.of("is", "number", "num", "no", "of", "the", "patient's", "pt's", "his", "her");
    private static final Set<String> WORDS_3 = Set.of("yo", "y", "yr", "yrs", "f", "m", "yof", "yom", "yoF", "yowf", "yowm");
    private static final Set<String> WORDS_4 = Set.of("year", "years", "yr", "yrs", "yo", "y", "yoa", "yearold", "year-old", "years-old");
    private static final Set<String> WORDS_5 = Set.of("age", "aged", "ages");
    private static final Set<String> WORDS_6 = Set.of("age", "aged");
    private static final Set<String> WORDS_7 = Set.of("at", "to", "on", "in");
    private static final Set<String> WORDS_8 = Set.of("on", "at", "off", "near", "along", "of", "from", "to", "in");
    private static final Set<String> WORDS_9 = Set.of("on", "off", "along", "near");
    private static final Set<String> WORDS_10 = Set.of("dr", "mr", "mrs", "ms");
    private static final Set<String> WORDS_11 = Set.of("s", "named", "called", "is", "was", "name", "names", "are", "nicknamed", "aka");
    private static final Set<String> WORDS_12 = Set.of("his", "her", "their", "the", "patient's", "pt's", "s");
    private static final Set<String> WORDS_13 = Set.of("to", "from", "re", "attn", "by");
    private static final Set<String> WORDS_14 = Set.of("sincerely", "regards", "thanks", "respectfully", "signed", "cc");
    private static final Set<String> WORDS_15 = Set.of("is", "was", "name");

    private static final int MAX_GROUPS = 6;
    private static final int MAX_NAME_WORDS = 3;

    private final Tokens tk;
    private final String text;
    /** The finding (index in {@link #found}) that owns each token, or -1. */
    private final int[] owner;
    private final List<Found> found = new ArrayList<>();
    private final Set<String> nameWords = new HashSet<>();

    private PhiScanner(String text, int limit, boolean hl7Escapes) {
        this.text = text;
        this.tk = new Tokens(text, limit, hl7Escapes);
        this.owner = new int[tk.size()];
        Arrays.fill(owner, -1);
    }

    /**
     * The identifiers in the first {@code limit} characters of {@code text}, sorted, not overlapping.
     *
     * @param knownNames lower-cased name words the structured fields gave (the patient's, relatives', clinicians')
     */
    public static List<Found> scan(String text, int limit, boolean hl7Escapes, Set<String> knownNames) {
        PhiScanner s = new PhiScanner(text, limit, hl7Escapes);
        List<Found> net = new ArrayList<>();
        NetScanner.scan(text, limit, net);
        for (Found f : net) {
            s.claimChars(f);
        }
        s.nameWords.addAll(knownNames);
        s.pass();
        s.expandNames();
        s.found.sort(Comparator.comparingInt(Found::start));
        s.mergeNames();
        return s.found;
    }

    /** The words of a name as written in a structured field ("Tanaka^Emiko", "Emiko Tanaka"), lower-cased, into out. */
    public static void addNameWords(String name, Set<String> out) {
        int i = 0;
        while (i < name.length()) {
            while (i < name.length() && !Character.isLetter(name.charAt(i))) {
                i++;
            }
            int j = i;
            while (j < name.length() && (Character.isLetter(name.charAt(j)) || name.charAt(j) == '\'' || name.charAt(j) == '-')) {
                j++;
            }
            if (j - i >= 2) {
                String w = name.substring(i, j).toLowerCase(Locale.ROOT);
                if (!Lexicon.HARD_STOP.contains(w) && !Lexicon.TITLES.contains(w) && !Lexicon.CREDENTIALS.contains(w)) {
                    out.add(w);
                }
            }
            i = j;
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    private void claimChars(Found f) {
        int index = found.size();
        found.add(f);
        // tokens are sorted: binary search the first one ending after f.start
        int lo = 0;
        int hi = tk.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tk.end(mid) <= f.start()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int t = lo; t < tk.size() && tk.start(t) < f.end(); t++) {
            owner[t] = index;
        }
    }

    /** Records tokens [from, to) as one finding; false (nothing recorded) when one of them is taken already. */
    private boolean claim(int from, int to, PhiCategory category, Found.DateParts date) {
        if (from < 0 || to <= from) {
            return false;
        }
        for (int t = from; t < to; t++) {
            if (owner[t] >= 0) {
                return false;
            }
        }
        int index = found.size();
        found.add(new Found(tk.start(from), tk.end(to - 1), category, date));
        for (int t = from; t < to; t++) {
            owner[t] = index;
        }
        return true;
    }

    private boolean free(int t) {
        return t >= 0 && t < owner.length && owner[t] < 0;
    }

    // ---------------------------------------------------------------- main pass

    private void pass() {
        int t = 0;
        while (t < tk.size()) {
            if (!free(t)) {
                t++;
                continue;
            }
            int end = at(t);
            t = end > t ? end : t + 1;
        }
    }

    /** Tries every recognizer that can start at token t; the end of what matched, or -1. */
    private int at(int t) {
        byte type = tk.type(t);
        int end;
        if (type == NUM || type == ALNUM) {
            if ((end = address(t)) > 0 || (end = age(t)) > 0 || (end = streetWithoutNumber(t)) > 0 || (end = dayFirstDate(t)) > 0 || (end = numbers(t)) > 0
                    || (end = zip(t)) > 0 || (end = alnumId(t)) > 0) {
                return end;
            }
            return -1;
        }
        if (type == PUNCT) {
            char c = tk.first(t);
            if ((c == '+' || c == '(') && tk.type(t + 1) == NUM) {
                return numbers(t);
            }
            return -1;
        }
        if (type == WORD) {
            if ((end = spelledAge(t)) > 0 || (end = spelledEmail(t)) > 0 || (end = monthFirstDate(t)) > 0 || (end = poBox(t)) > 0 || (end = streetWithoutNumber(t)) > 0
                    || (end = titled(t)) > 0 || (end = kin(t)) > 0 || (end = role(t)) > 0 || (end = act(t)) > 0
                    || (end = credential(t)) > 0 || (end = kinAfterName(t)) > 0 || (end = spokenTo(t)) > 0) {
                return end;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- numbers: dates, SSN, phones, identifiers

    /** Digit groups from t: '+' or '(' first allowed, separators of up to three tokens among space - . / ( ). */
    private int numbers(int t) {
        boolean plus = tk.is(t, '+');
        int u = t;
        if (plus || tk.is(t, '(')) {
            u = t + 1;
            if (plus && tk.is(u, '(')) {
                u++;
            }
        }
        if (tk.type(u) != NUM) {
            return -1;
        }
        int[] g = new int[MAX_GROUPS];
        char[] sep = new char[MAX_GROUPS];
        int n = 0;
        int digits = 0;
        g[n++] = u;
        digits += tk.length(u);
        int v = u + 1;
        while (n < MAX_GROUPS && digits <= 20) {
            int w = v;
            char kind = 0;
            int seps = 0;
            while (w < tk.size() && seps < 3) {
                if (tk.inlineSpace(w) && tk.length(w) <= 2) {
                    kind = kind == 0 ? ' ' : kind;
                } else if (tk.type(w) == PUNCT && "-./()".indexOf(tk.first(w)) >= 0) {
                    char c = tk.first(w);
                    kind = c == '(' || c == ')' || kind == ')' ? ')' : kind == 0 || kind == ' ' ? c : kind == c ? c : 'x';
                } else {
                    break;
                }
                w++;
                seps++;
            }
            if (seps == 0 || kind == 'x' || tk.type(w) != NUM || !free(w)) {
                break;
            }
            sep[n] = kind;
            g[n++] = w;
            digits += tk.length(w);
            v = w + 1;
        }
        int[] len = new int[n];
        for (int k = 0; k < n; k++) {
            len[k] = tk.length(g[k]);
        }
        boolean idCue = idCue(t);
        int end;
        if (!plus && (end = numericDate(t, g, sep, len, n, idCue)) > 0) {
            return end;
        }
        if (!plus && n >= 3 && len[0] == 3 && len[1] == 2 && len[2] == 4 && sep[1] == sep[2] && (sep[1] == '-' || sep[1] == ' ')) {
            return claim(t, g[2] + 1, PhiCategory.SSN, null) ? g[2] + 1 : -1;
        }
        if (n == 1 && len[0] == 9 && !plus && ssnCue(t)) {
            return claim(t, g[0] + 1, PhiCategory.SSN, null) ? g[0] + 1 : -1;
        }
        int phoneEnd = phone(t, g, sep, len, n, plus);
        if (phoneEnd > 0) {
            int withExtension = extension(phoneEnd);
            // "(319-555-0190)": the bracket encloses the number, it is not an area code's
            int from = tk.is(t, '(') && (n < 2 || sep[1] != ')') ? t + 1 : t;
            return claim(from, withExtension, idCue && !plus ? PhiCategory.ID : PhiCategory.PHONE, null) ? withExtension : -1;
        }
        if (idCue && digits >= 4) {
            int last = g[0];
            for (int k = 1; k < n && sep[k] != ')' && (sep[k] != ' ' || len[k] >= 3); k++) {
                last = g[k];
            }
            int from = tk.is(t, '(') ? t + 1 : t;
            return claim(from, last + 1, PhiCategory.ID, null) ? last + 1 : -1;
        }
        if (n == 1 && len[0] >= 7 && !plus) {
            return claim(g[0], g[0] + 1, PhiCategory.ID, null) ? g[0] + 1 : -1;
        }
        if (n >= 3 && digits >= 8 && !plus) {
            boolean dashed = true;
            for (int k = 1; k < n; k++) {
                dashed &= sep[k] == '-';
            }
            if (dashed) {
                return claim(g[0], g[n - 1] + 1, PhiCategory.ID, null) ? g[n - 1] + 1 : -1;
            }
        }
        return -1;
    }

    /** The end of a telephone number made of groups g (after t), or -1. */
    private int phone(int t, int[] g, char[] sep, int[] len, int n, boolean plus) {
        if (plus) {
            int digits = 0;
            int last = -1;
            for (int k = 0; k < n && digits + len[k] <= 15; k++) {
                digits += len[k];
                last = g[k];
            }
            return digits >= 7 && last >= 0 ? last + 1 : -1;
        }
        // NANP: (1) 3 3 4, (3) 3-4, 3 7, 10 digits, 1 + 10 digits
        int k0 = len[0] == 1 && tk.first(g[0]) == '1' && n >= 4 ? 1 : 0;
        if (n - k0 >= 3 && len[k0] == 3 && len[k0 + 1] == 3 && len[k0 + 2] == 4) {
            return g[k0 + 2] + 1;
        }
        if (n - k0 >= 2 && len[k0] == 3 && len[k0 + 1] == 7 && sep[k0 + 1] != '/') {
            return g[k0 + 1] + 1;
        }
        if (len[0] == 10 && tk.first(g[0]) >= '2' || len[0] == 11 && tk.first(g[0]) == '1') {
            return g[0] + 1;
        }
        // International without '+' (0044 ..., 020 7946 0958): groups of two or more digits, 10 to 15 in all.
        if (n >= 2 && tk.first(g[0]) == '0' && len[0] >= 2) {
            int digits = 0;
            int last = -1;
            boolean ok = true;
            for (int k = 0; k < n && digits + len[k] <= 15; k++) {
                ok &= len[k] >= 2 && (k == 0 || sep[k] == ' ' || sep[k] == '-' || sep[k] == '.' || sep[k] == ')');
                digits += len[k];
                last = g[k];
            }
            if (ok && digits >= 10) {
                return last + 1;
            }
        }
        // local seven digits 555-0190 / 555.0190
        if (n >= 2 && len[0] == 3 && len[1] == 4 && (sep[1] == '-' || sep[1] == '.') && tk.first(g[0]) >= '2'
                && (n == 2 || sep[2] == ' ')) {
            return g[1] + 1;
        }
        return -1;
    }

    /** After a phone number: "ext. 23", "x23", "#23", "extension 23". */
    private int extension(int end) {
        int u = end;
        if (tk.inlineSpace(u)) {
            u++;
        }
        if (tk.is(u, ',')) {
            u++;
            if (tk.inlineSpace(u)) {
                u++;
            }
        }
        if (tk.type(u) == ALNUM) {
            String s = tk.lower(u);
            if (s.matches("(x|ext)[0-9]{1,6}")) {
                return u + 1;
            }
            return end;
        }
        boolean word = tk.type(u) == WORD && WORDS_1.contains(tk.lower(u));
        if (!word && !tk.is(u, '#')) {
            return end;
        }
        u++;
        if (tk.is(u, '.')) {
            u++;
        }
        if (tk.is(u, ':')) {
            u++;
        }
        if (tk.inlineSpace(u)) {
            u++;
        }
        if (tk.is(u, '#')) {
            u++;
        }
        return tk.type(u) == NUM && tk.length(u) <= 6 ? u + 1 : end;
    }

    /** An identifier cue (MRN, acct, licence, ID, #...) at most a few tokens before t, on its line. */
    private boolean idCue(int t) {
        int u = t - 1;
        for (int steps = 0; u >= 0 && steps < 7; steps++, u--) {
            if (tk.lineBreak(u)) {
                return false;
            }
            if (tk.space(u)) {
                continue;
            }
            if (tk.type(u) == PUNCT) {
                char c = tk.first(u);
                if (c == '#') {
                    return true;
                }
                if (":.-=(".indexOf(c) < 0) {
                    return false;
                }
                continue;
            }
            if (tk.type(u) == WORD || tk.type(u) == ALNUM) {
                String w = tk.lower(u);
                if (Lexicon.ID_CUES.contains(w)) {
                    return true;
                }
                if (!WORDS_2.contains(w)) {
                    return false;
                }
                continue;
            }
            return false;
        }
        return false;
    }

    private boolean ssnCue(int t) {
        int u = tk.previous(t, false);
        for (int steps = 0; u >= 0 && steps < 4; steps++, u = tk.previous(u, false)) {
            String w = tk.lower(u);
            if (w.equals("ssn") || w.equals("ss") || w.equals("security") || w.equals("ss#")) {
                return true;
            }
            if (tk.type(u) != PUNCT) {
                return false;
            }
        }
        return false;
    }

    /** dd/mm/yyyy, mm/dd/yy, yyyy-mm-dd, dd.mm.yyyy, mm/yyyy, yyyymmdd, and mm/dd after a date word. */
    private int numericDate(int t, int[] g, char[] sep, int[] len, int n, boolean idCue) {
        if (tk.is(t, '(')) {
            return -1;
        }
        if (n >= 3 && sep[1] == sep[2] && (sep[1] == '-' || sep[1] == '/' || sep[1] == '.')) {
            int a = tk.number(g[0]);
            int b = tk.number(g[1]);
            int c = tk.number(g[2]);
            if (len[0] == 4 && len[1] <= 2 && len[2] <= 2 && valid(a, b, c)) {
                return dateOf(g[0], g[2] + 1, g[0], g[1], g[2], a, b, c);
            }
            if (len[0] <= 2 && len[1] <= 2 && (len[2] == 4 || len[2] == 2)) {
                int year = len[2] == 2 ? widen(c) : c;
                boolean dayFirst = sep[1] == '.' ? valid(year, b, a) : !valid(year, a, b);
                if (dayFirst && valid(year, b, a)) {
                    return dateOf(g[0], g[2] + 1, g[2], g[1], g[0], year, b, a);
                }
                if (!dayFirst && valid(year, a, b)) {
                    return dateOf(g[0], g[2] + 1, g[2], g[0], g[1], year, a, b);
                }
            }
        }
        if (n >= 2 && (sep[1] == '/' || sep[1] == '-')) {
            int a = tk.number(g[0]);
            int b = tk.number(g[1]);
            boolean moreGroup = n >= 3 && sep[2] == sep[1];
            if (!moreGroup && len[0] <= 2 && len[1] == 4 && a >= 1 && a <= 12 && b >= 1900 && b <= 2099) {
                return dateOf(g[0], g[1] + 1, g[1], g[0], -1, b, a, -1);
            }
            if (!moreGroup && sep[1] == '-' && len[0] == 4 && len[1] == 2 && a >= 1900 && a <= 2099 && b >= 1 && b <= 12) {
                return dateOf(g[0], g[1] + 1, g[0], g[1], -1, a, b, -1);
            }
            if (!moreGroup && sep[1] == '/' && len[0] <= 2 && len[1] <= 2 && valid(2024, a, b) && dateCue(t)
                    && !tk.is(g[1] + 1, '/')) {
                return dateOf(g[0], g[1] + 1, -1, g[0], g[1], -1, a, b);
            }
        }
        if (n == 1 && len[0] == 8 && !idCue) {
            String s = tk.text(g[0]);
            int y = Integer.parseInt(s.substring(0, 4));
            int m = Integer.parseInt(s.substring(4, 6));
            int d = Integer.parseInt(s.substring(6, 8));
            if (y >= 1900 && y <= 2099 && valid(y, m, d)) {
                int tok = g[0];
                int start = tk.start(tok);
                if (!claim(tok, tok + 1, PhiCategory.DATE, new Found.DateParts(start, start + 4, start + 4, start + 6, start + 6,
                        start + 8, y, m, d, false))) {
                    return -1;
                }
                return tok + 1;
            }
        }
        return -1;
    }

    private int dateOf(int from, int to, int yearTok, int monthTok, int dayTok, int year, int month, int day) {
        Found.DateParts parts = new Found.DateParts(yearTok < 0 ? -1 : tk.start(yearTok), yearTok < 0 ? -1 : tk.end(yearTok),
                monthTok < 0 ? -1 : tk.start(monthTok), monthTok < 0 ? -1 : tk.end(monthTok), dayTok < 0 ? -1 : tk.start(dayTok),
                dayTok < 0 ? -1 : tk.end(dayTok), year, month, day, false);
        return claim(from, to, PhiCategory.DATE, parts) ? to : -1;
    }

    private static int widen(int twoDigits) {
        return twoDigits <= 40 ? 2000 + twoDigits : 1900 + twoDigits;
    }

    static boolean valid(int year, int month, int day) {
        if (month < 1 || month > 12 || day < 1) {
            return false;
        }
        return day <= java.time.YearMonth.of(year < 1 ? 2024 : year, month).lengthOfMonth();
    }

    private boolean dateCue(int t) {
        int u = tk.previous(t, false);
        return u >= 0 && (Lexicon.DATE_CUES.contains(tk.lower(u)) || tk.is(u, ':'));
    }

    // ---------------------------------------------------------------- dates with month names

    /** The month a word names (Mar, March, Sept., MARCH), 1-12, or 0. */
    private int month(int t) {
        if (tk.type(t) != WORD || tk.length(t) < 3 || tk.length(t) > 9 || !Character.isUpperCase(tk.first(t))) {
            return 0;
        }
        String w = tk.lower(t);
        if (Lexicon.MONTHS_FULL.contains(w)) {
            return java.time.Month.valueOf(w.toUpperCase(Locale.ROOT)).getValue();
        }
        if (w.equals("sept")) {
            return 9;
        }
        if (w.length() == 3 && !w.equals("may") && !w.equals("mar") && !w.equals("jun")) {
            for (java.time.Month m : java.time.Month.values()) {
                if (m.name().substring(0, 3).equalsIgnoreCase(w)) {
                    return m.getValue();
                }
            }
        }
        if (w.equals("mar") || w.equals("jun")) {
            // also words ("mar", "jun"): only capitalised
            return Character.isUpperCase(tk.first(t)) ? (w.equals("mar") ? 3 : 6) : 0;
        }
        return 0;
    }

    /** "14", "14th", "1st": the day number, or -1. */
    private int day(int t) {
        if (tk.type(t) == NUM && tk.length(t) <= 2) {
            int d = tk.number(t);
            return d >= 1 && d <= 31 ? d : -1;
        }
        if (tk.type(t) == ALNUM && tk.length(t) <= 4) {
            String s = tk.lower(t);
            if (s.matches("[0-9]{1,2}(st|nd|rd|th)")) {
                int d = Integer.parseInt(s.substring(0, s.length() - 2));
                return d >= 1 && d <= 31 ? d : -1;
            }
        }
        return -1;
    }

    private int dayEnd(int t) {
        // the digits of an ordinal day only
        int end = tk.start(t);
        while (end < tk.end(t) && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }

    /** After a month or day: optional '.', ',', "of", space(s), then a four-digit year or '26; returns its token or -1. */
    private int yearAfter(int t) {
        int u = t + 1;
        int steps = 0;
        while (u < tk.size() && steps < 4 && (tk.inlineSpace(u) || tk.is(u, ',') || tk.is(u, '.') || tk.is(u, '-') || tk.is(u, '/')
                || tk.type(u) == WORD && tk.lower(u).equals("of"))) {
            u++;
            steps++;
        }
        if (tk.is(u, '\'') || tk.is(u, '\u2019')) {
            return tk.type(u + 1) == NUM && tk.length(u + 1) == 2 ? u + 1 : -1;
        }
        if (tk.type(u) == NUM && tk.length(u) == 4) {
            int y = tk.number(u);
            return y >= 1900 && y <= 2099 ? u : -1;
        }
        if (tk.type(u) == NUM && tk.length(u) == 2 && (tk.is(u - 1, '-') || tk.is(u - 1, '/'))) {
            return u;
        }
        return -1;
    }

    /** March 14, 2026 / Mar. 14th / March 2026 / MAR-14-2026. */
    private int monthFirstDate(int t) {
        int m = month(t);
        if (m == 0) {
            return -1;
        }
        int u = t + 1;
        if (tk.is(u, '.')) {
            u++;
        }
        int dayTok = -1;
        int v = u;
        if (tk.inlineSpace(v) || tk.is(v, '-') || tk.is(v, '/')) {
            v++;
            if (day(v) > 0 && !(tk.is(v + 1, ':') || tk.is(v + 1, '.') && tk.type(v + 2) == NUM)) {
                dayTok = v;
            }
        }
        int yearTok = yearAfter(dayTok >= 0 ? dayTok : u - 1);
        if (dayTok < 0 && yearTok < 0) {
            return -1;
        }
        if (dayTok < 0 && !Character.isUpperCase(tk.first(t))) {
            return -1;
        }
        int year = yearTok < 0 ? -1 : tk.length(yearTok) == 2 ? widen(tk.number(yearTok)) : tk.number(yearTok);
        int d = dayTok < 0 ? -1 : day(dayTok);
        if (d > 0 && !valid(year < 0 ? 2024 : year, m, d)) {
            return -1;
        }
        int end = (yearTok >= 0 ? yearTok : dayTok) + 1;
        Found.DateParts parts = new Found.DateParts(yearTok < 0 ? -1 : tk.start(yearTok), yearTok < 0 ? -1 : tk.end(yearTok),
                tk.start(t), tk.end(t), dayTok < 0 ? -1 : tk.start(dayTok), dayTok < 0 ? -1 : dayEnd(dayTok), year, m, d, true);
        return claim(t, end, PhiCategory.DATE, parts) ? end : -1;
    }

    /** 14 March 2026 / 14th of March / 14-Mar-2026 / 14 Mar. */
    private int dayFirstDate(int t) {
        int d = day(t);
        if (d < 0) {
            return -1;
        }
        int u = t + 1;
        int steps = 0;
        while (steps < 3 && (tk.inlineSpace(u) || tk.is(u, '-') || tk.type(u) == WORD && tk.lower(u).equals("of"))) {
            u++;
            steps++;
        }
        int m = month(u);
        if (m == 0 || steps == 0) {
            return -1;
        }
        int monthTok = u;
        int yearTok = yearAfter(tk.is(u + 1, '.') ? u + 1 : u);
        int year = yearTok < 0 ? -1 : tk.length(yearTok) == 2 ? widen(tk.number(yearTok)) : tk.number(yearTok);
        if (!valid(year < 0 ? 2024 : year, m, d)) {
            return -1;
        }
        int end = (yearTok >= 0 ? yearTok : monthTok) + 1;
        Found.DateParts parts = new Found.DateParts(yearTok < 0 ? -1 : tk.start(yearTok), yearTok < 0 ? -1 : tk.end(yearTok),
                tk.start(monthTok), tk.end(monthTok), tk.start(t), dayEnd(t), year, m, d, true);
        return claim(t, end, PhiCategory.DATE, parts) ? end : -1;
    }

    // ---------------------------------------------------------------- ages, ZIP codes, alphanumeric identifiers

    /** An age over 89: "92-year-old", "92 yo", "92 y/o", "aged 93", "Age: 95", "92F". */
    private int age(int t) {
        if (tk.type(t) == ALNUM) {
            String s = tk.lower(t);
            int digits = 0;
            while (digits < s.length() && Character.isDigit(s.charAt(digits))) {
                digits++;
            }
            if (digits >= 2 && digits <= 3 && WORDS_3
                    .contains(s.substring(digits))) {
                int a = Integer.parseInt(s.substring(0, digits));
                if (a > 89 && a < 130 && owner[t] < 0) {
                    int index = found.size();
                    found.add(new Found(tk.start(t), tk.start(t) + digits, PhiCategory.AGE));
                    owner[t] = index;
                    return t + 1;
                }
            }
            return -1;
        }
        int a = tk.number(t);
        if (tk.type(t) != NUM || a <= 89 || a >= 130) {
            return -1;
        }
        int u = t + 1;
        if (tk.inlineSpace(u) || tk.is(u, '-')) {
            u++;
        }
        String w = tk.type(u) == WORD ? tk.lower(u) : "";
        boolean after = WORDS_4
                .contains(w);
        int p = tk.previous(t, false);
        if (p >= 0 && tk.is(p, ':')) {
            p = tk.previous(p, false);
        }
        if (p >= 0 && tk.type(p) == WORD && tk.lower(p).equals("of")) {
            p = tk.previous(p, false);
        }
        boolean before = p >= 0 && WORDS_5.contains(tk.lower(p));
        if (!after && !before) {
            return -1;
        }
        return claim(t, t + 1, PhiCategory.AGE, null) ? t + 1 : -1;
    }

    /** A five-digit ZIP (ZIP+4 too) after a state code or a ZIP word. */
    private int zip(int t) {
        if (tk.type(t) != NUM || tk.length(t) != 5) {
            return -1;
        }
        int p = tk.previous(t, false);
        if (p >= 0 && tk.is(p, ',')) {
            p = tk.previous(p, false);
        }
        boolean cue = p >= 0 && tk.type(p) == WORD && Lexicon.STATES.contains(tk.text(p));
        for (int u = p, steps = 0; !cue && u >= 0 && steps < 3; steps++, u = tk.previous(u, false)) {
            String w = tk.lower(u);
            cue = w.equals("zip") || w.equals("postal") || w.equals("zipcode") || w.equals("postcode");
            if (tk.type(u) == NUM) {
                break;
            }
        }
        return cue ? zipAt(t) : -1;
    }

    private int zipAt(int t) {
        int end = t + 1;
        if (tk.is(end, '-') && tk.type(end + 1) == NUM && tk.length(end + 1) == 4) {
            end += 2;
        }
        return claim(t, end, PhiCategory.ZIP, null) ? end : -1;
    }

    /** A token of letters and five or more digits (A1234567, MRN00123456): an identifier; with a cue, three digits do. */
    private int alnumId(int t) {
        if (tk.type(t) != ALNUM) {
            return -1;
        }
        int digits = 0;
        String s = tk.text(t);
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                digits++;
            }
        }
        if (digits >= 5 || digits >= 3 && idCue(t)) {
            int end = t + 1;
            // a dashed tail (AB12-3456) belongs to it
            while (tk.is(end, '-') && (tk.type(end + 1) == NUM || tk.type(end + 1) == ALNUM) && end < t + 9) {
                end += 2;
            }
            return claim(t, end, PhiCategory.ID, null) ? end : -1;
        }
        return -1;
    }

    /** "ninety-two-year-old", "aged ninety-five": ages over 89 in words. */
    private int spelledAge(int t) {
        String w = tk.lower(t);
        if (!w.startsWith("ninety") && !w.startsWith("hundred") && !w.equals("one-hundred")) {
            return -1;
        }
        int glued = w.indexOf("-year");
        if (glued > 0 && owner[t] < 0) {
            // "ninety-two-year-old" is one word token: only its number part
            int index = found.size();
            found.add(new Found(tk.start(t), tk.start(t) + glued, PhiCategory.AGE));
            owner[t] = index;
            return t + 1;
        }
        int end = t + 1;
        if (tk.is(end, '-') && tk.type(end + 1) == WORD && tk.lower(end + 1).startsWith("year")) {
            return claim(t, end, PhiCategory.AGE, null) ? end : -1;
        }
        int next = tk.next(t, false);
        boolean after = next >= 0 && tk.type(next) == WORD && tk.lower(next).startsWith("year");
        int p = tk.previous(t, false);
        boolean before = p >= 0 && WORDS_6.contains(tk.lower(p));
        return (after || before) && claim(t, end, PhiCategory.AGE, null) ? end : -1;
    }

    private static final Set<String> TLD_WORDS = Set.of("com", "org", "net", "edu", "gov", "us", "io", "info");

    /** "emiko at gmail dot com": an address spelled out so filters miss it. */
    private int spelledEmail(int t) {
        if (tk.type(t) != WORD && tk.type(t) != ALNUM) {
            return -1;
        }
        int u = tk.next(t, false);
        if (u < 0 || !tk.lower(u).equals("at")) {
            return -1;
        }
        int host = tk.next(u, false);
        int dot = host < 0 ? -1 : tk.next(host, false);
        int tld = dot < 0 ? -1 : tk.next(dot, false);
        if (host < 0 || dot < 0 || tld < 0 || !(tk.type(host) == WORD || tk.type(host) == ALNUM) || !tk.lower(dot).equals("dot")
                || !TLD_WORDS.contains(tk.lower(tld))) {
            return -1;
        }
        return claim(t, tld + 1, PhiCategory.EMAIL, null) ? tld + 1 : -1;
    }

    private static final Set<String> SPOKEN_TO = Set.of("called", "call", "paged", "phoned", "texted", "messaged", "emailed", "asked",
            "told", "informed", "notified", "updated", "reassured", "thanked", "reminded", "instructed", "educated", "met", "visited");

    /** "Called Ama back", "paged Kwame": a verb of talking to someone, then a capitalised name. */
    private int spokenTo(int t) {
        if (!SPOKEN_TO.contains(tk.lower(t)) || !tk.inlineSpace(t + 1) || Lexicon.TITLES.contains(tk.lower(t + 2))) {
            return -1;
        }
        int end = nameSeq(t + 2, Strength.WEAK, false, false);
        return end > 0 ? claimName(t + 2, end) : -1;
    }

    // ---------------------------------------------------------------- addresses

    private boolean capitalised(int t) {
        return tk.type(t) == WORD && Character.isUpperCase(tk.first(t));
    }

    private boolean ordinal(int t) {
        return tk.type(t) == ALNUM && tk.lower(t).matches("[0-9]{1,3}(st|nd|rd|th)");
    }

    /** 22 Old Mill Road, Apt 4B, Springfield, IL 62704 (the ZIP its own finding). */
    private int address(int t) {
        if (tk.type(t) == ALNUM && !tk.text(t).matches("[0-9]{1,6}[A-Za-z]")) {
            return -1;
        }
        if (tk.type(t) == NUM && tk.length(t) > 6) {
            return -1;
        }
        if (!tk.inlineSpace(t + 1)) {
            return -1;
        }
        int u = t + 2;
        if (tk.type(u) == WORD && Lexicon.DIRECTIONS.contains(tk.lower(u)) && (tk.inlineSpace(u + 1) || tk.is(u + 1, '.'))) {
            u += tk.is(u + 1, '.') ? 3 : 2;
        }
        int words = 0;
        int suffix = -1;
        boolean lower = tk.type(u) == WORD && Character.isLowerCase(tk.first(u));
        for (int steps = 0; steps < 5 && u < tk.size(); steps++) {
            boolean isWord = tk.type(u) == WORD && !Lexicon.HARD_STOP.contains(tk.lower(u));
            boolean fits = lower ? isWord && Character.isLowerCase(tk.first(u)) : (capitalised(u) && isWord || ordinal(u));
            if (!fits && !(tk.type(u) == WORD && Lexicon.STREET_SUFFIXES.contains(tk.lower(u)) && words > 0)) {
                break;
            }
            String w = tk.lower(u);
            if (words > 0 && Lexicon.STREET_SUFFIXES.contains(w) && (!lower || Lexicon.STRONG_SUFFIXES.contains(w) || w.equals("st"))
                    && (lower == Character.isLowerCase(tk.first(u)))) {
                suffix = u;
                if (!(tk.inlineSpace(u + 1) && tk.type(u + 2) == WORD && Lexicon.STREET_SUFFIXES.contains(tk.lower(u + 2))
                        && capitalised(u + 2) && !lower)) {
                    break;
                }
            }
            words++;
            if (!tk.inlineSpace(u + 1)) {
                break;
            }
            u += 2;
        }
        if (suffix < 0) {
            return addressCue(t) ? streetWithoutSuffix(t) : -1;
        }
        int end = suffix + 1;
        if (tk.is(end, '.')) {
            end++;
        }
        end = afterStreet(end);
        return finishAddress(t, end);
    }

    private static final Set<String> ADDRESS_VERBS = Set.of("lives", "living", "live", "moved", "moving", "resides", "residing",
            "located", "home", "address", "relocated", "stays", "staying");

    /** "lives at", "moved to", "address:" right before t. */
    private boolean addressCue(int t) {
        int p = tk.previous(t, false);
        if (p >= 0 && tk.is(p, ':')) {
            p = tk.previous(p, false);
            return p >= 0 && tk.lower(p).equals("address");
        }
        if (p < 0 || !WORDS_7.contains(tk.lower(p))) {
            return false;
        }
        int v = tk.previous(p, false);
        return v >= 0 && ADDRESS_VERBS.contains(tk.lower(v));
    }

    /** After an address cue: a house number and capitalised words, no street suffix ("moved to 12 Old Mill"). */
    private int streetWithoutSuffix(int t) {
        int end = -1;
        int u = t + 2;
        for (int words = 0; words < 4 && tk.inlineSpace(u - 1) && (capitalised(u) && !Lexicon.HARD_STOP.contains(tk.lower(u)) || ordinal(u));
             words++) {
            end = u + 1;
            u += 2;
        }
        return end < 0 ? -1 : finishAddress(t, afterStreet(end));
    }

    /** Post-direction and unit after a street: "NW", ", Apt 4B", "#12", "Suite 300". */
    private int afterStreet(int end) {
        int u = end;
        if (tk.inlineSpace(u) && tk.type(u + 1) == WORD && Lexicon.DIRECTIONS.contains(tk.lower(u + 1))
                && Character.isUpperCase(tk.first(u + 1)) && tk.length(u + 1) <= 2) {
            end = u + 2;
            u = end;
        }
        int v = u;
        if (tk.is(v, ',')) {
            v++;
        }
        if (tk.inlineSpace(v)) {
            v++;
        }
        boolean unit = tk.is(v, '#') || tk.type(v) == WORD && Lexicon.UNITS.contains(tk.lower(v)) && !tk.lower(v).equals("no");
        if (unit) {
            v++;
            if (tk.is(v, '.')) {
                v++;
            }
            if (tk.inlineSpace(v)) {
                v++;
            }
            if (tk.is(v, '#')) {
                v++;
            }
            if (tk.type(v) == NUM || tk.type(v) == ALNUM || tk.type(v) == WORD && tk.length(v) == 1) {
                end = v + 1;
            }
        }
        return end;
    }

    /** The street ends before {@code end}; a city (with state or ZIP after it) joins the address, a ZIP is its own. */
    private int finishAddress(int from, int end) {
        int u = end;
        boolean comma = tk.is(u, ',');
        if (comma) {
            u++;
        }
        boolean crossed = false;
        if (tk.inlineSpace(u)) {
            u++;
        } else if (tk.lineBreak(u)) {
            // a letter's address block: the city on the next line
            u++;
            crossed = true;
        }
        int cityEnd = -1;
        int v = u;
        for (int words = 0; words < 3 && capitalised(v) && !Lexicon.STATES.contains(tk.text(v)) && !Lexicon.HARD_STOP.contains(tk.lower(v)); words++) {
            cityEnd = v + 1;
            if (tk.inlineSpace(v + 1) && capitalised(v + 2) && !Lexicon.STATES.contains(tk.text(v + 2))) {
                v += 2;
            } else {
                break;
            }
        }
        int stateTok = -1;
        int zipTok = -1;
        int w = cityEnd > 0 ? cityEnd : u;
        int x = w;
        if (tk.is(x, ',')) {
            x++;
        }
        if (tk.inlineSpace(x)) {
            x++;
        }
        if (tk.type(x) == WORD && Lexicon.STATES.contains(tk.text(x))) {
            stateTok = x;
            x++;
            if (tk.is(x, ',')) {
                x++;
            }
            if (tk.inlineSpace(x)) {
                x++;
            }
        }
        if (tk.type(x) == NUM && tk.length(x) == 5) {
            zipTok = x;
        }
        boolean cityOk = cityEnd > 0 && (stateTok >= 0 || zipTok >= 0 || !crossed && comma && (tk.is(cityEnd, '.')
                || tk.lineBreak(cityEnd) || cityEnd >= tk.size() || tk.is(cityEnd, ';') || tk.is(cityEnd, ')')));
        int streetEnd = cityOk ? cityEnd : end;
        if (!claim(from, streetEnd, PhiCategory.ADDRESS, null)) {
            return -1;
        }
        if (zipTok >= 0 && (cityOk || stateTok >= 0)) {
            int z = zipAt(zipTok);
            return z > 0 ? z : zipTok + 1;
        }
        return streetEnd;
    }

    /** PO Box 1234, P.O. Box 1234. */
    private int poBox(int t) {
        String w = tk.lower(t);
        int u;
        if (w.equals("po")) {
            u = t + 1;
        } else if (w.equals("p") && tk.is(t + 1, '.') && tk.type(t + 2) == WORD && tk.lower(t + 2).equals("o") && tk.is(t + 3, '.')) {
            u = t + 4;
        } else {
            return -1;
        }
        if (tk.inlineSpace(u)) {
            u++;
        }
        if (tk.type(u) != WORD || !tk.lower(u).equals("box") || !tk.inlineSpace(u + 1) || tk.type(u + 2) != NUM) {
            return -1;
        }
        return finishAddress(t, u + 3);
    }

    /** "on Old Mill Road": capitalised words and a strong street suffix after a place preposition. */
    private int streetWithoutNumber(int t) {
        if (!(capitalised(t) || ordinal(t)) || Lexicon.HARD_STOP.contains(tk.lower(t))) {
            return -1;
        }
        int p = tk.previous(t, false);
        if (p < 0 || tk.type(p) != WORD || !WORDS_8.contains(tk.lower(p))) {
            return -1;
        }
        int u = t;
        for (int words = 0; words < 4; words++) {
            if (!tk.inlineSpace(u + 1) || !capitalised(u + 2)) {
                return -1;
            }
            u += 2;
            String w = tk.lower(u);
            boolean lane = WORDS_9.contains(tk.lower(p));
            boolean anotherSuffix = tk.inlineSpace(u + 1) && capitalised(u + 2) && Lexicon.STREET_SUFFIXES.contains(tk.lower(u + 2));
            if (!anotherSuffix && (Lexicon.STRONG_SUFFIXES.contains(w) && w.length() > 3
                    || lane && Lexicon.STREET_SUFFIXES.contains(w) && !tk.is(u + 1, '\''))) {
                int end = u + 1;
                if (tk.is(end, '.') && lane) {
                    end++;
                }
                return finishAddress(t, afterStreet(end));
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- names

    private static final Set<String> TITLE_STOP = Set.of("the", "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "with", "is", "was", "who", "his", "her",
            "their", "said", "says", "will", "has", "had", "office", "team", "service", "on-call", "note", "notes",
            "visit", "clinic", "he", "she", "they", "i", "we", "it", "this", "that", "pt", "patient");

    private enum Strength { STRONG, WEAK }

    private boolean stopped(int t, Strength strength) {
        String w = tk.lower(t);
        if (strength == Strength.STRONG) {
            // after a title or a relative word almost any capitalised word is a name ("son Will", "Dr. May")
            return TITLE_STOP.contains(w) || Lexicon.HARD_STOP.contains(w) && !w.equals("will") && !w.equals("may");
        }
        return Lexicon.HARD_STOP.contains(w) || Lexicon.SOFT_STOP.contains(w) || Lexicon.KIN.contains(w) || Lexicon.TITLES.contains(w);
    }

    /** A word that may be (part of) a name: capitalised (all capitals where allowed), not a stop word. */
    private boolean nameLike(int t, Strength strength, boolean allowCaps) {
        if (tk.type(t) != WORD || tk.length(t) < 2 || !Character.isUpperCase(tk.first(t)) || stopped(t, strength)) {
            return false;
        }
        if (!allowCaps) {
            String s = tk.text(t);
            boolean allCaps = true;
            for (int i = 1; i < s.length() && allCaps; i++) {
                allCaps = !Character.isLowerCase(s.charAt(i));
            }
            return !allCaps;
        }
        return true;
    }

    private boolean initial(int t) {
        return tk.type(t) == WORD && tk.length(t) == 1 && Character.isUpperCase(tk.first(t)) && tk.is(t + 1, '.');
    }

    private static final Set<String> PARTICLES = Set.of("van", "von", "de", "der", "den", "del", "della", "da", "di", "du", "la",
            "le", "bin", "ibn", "al", "el", "st", "ter", "ten", "dos", "das");

    /**
     * Name words from u: up to three capitalised words (initials "J." and particles "van der" inside); "Last, First"
     * too when {@code lastFirst}. The end token, or -1 when u starts no name.
     */
    private int nameSeq(int u, Strength strength, boolean allowCaps, boolean lastFirst) {
        int words = 0;
        int end = -1;
        int v = u;
        while (words < MAX_NAME_WORDS + 1 && v < tk.size() && free(v)) {
            if (initial(v)) {
                if (!(tk.inlineSpace(v + 2) && (nameLike(v + 3, strength, allowCaps) || initial(v + 3)))) {
                    break;
                }
                v += 3;
                continue;
            }
            if (tk.type(v) == WORD && PARTICLES.contains(tk.text(v)) && tk.inlineSpace(v + 1)
                    && (nameLike(v + 2, strength, allowCaps) || tk.type(v + 2) == WORD && PARTICLES.contains(tk.text(v + 2)))) {
                v += 2;
                continue;
            }
            if (tk.type(v) == WORD && tk.text(v).equals("St") && tk.is(v + 1, '.') && singleSpace(v + 2)
                    && nameLike(v + 3, strength, allowCaps)) {
                v += 3;
                continue;
            }
            if (!nameLike(v, strength, allowCaps)) {
                break;
            }
            words++;
            end = v + 1;
            if (lastFirst && words == 1 && tk.is(v + 1, ',') && tk.inlineSpace(v + 2) && nameLike(v + 3, strength, allowCaps)) {
                v += 3;
                continue;
            }
            if (!tk.inlineSpace(v + 1) || tk.length(v + 1) > 2) {
                break;
            }
            v += 2;
        }
        return words == 0 ? -1 : end;
    }

    private int claimName(int from, int to) {
        if (!claim(from, to, PhiCategory.NAME, null)) {
            return -1;
        }
        for (int t = from; t < to; t++) {
            if (tk.type(t) == WORD && tk.length(t) > 1) {
                nameWords.add(tk.lower(t));
            }
        }
        return to;
    }

    private boolean allCaps(int t) {
        String s = tk.text(t);
        for (int i = 0; i < s.length(); i++) {
            if (Character.isLowerCase(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Dr. Osei, Mrs Whitfield, DR. K. OSEI. */
    private int titled(int t) {
        String w = tk.lower(t);
        if (!Lexicon.TITLES.contains(w)) {
            return -1;
        }
        int u = t + 1;
        boolean dot = tk.is(u, '.');
        if (dot) {
            u++;
        }
        if (!tk.inlineSpace(u)) {
            return -1;
        }
        u++;
        // MR, MS, DR in capitals are also mitral regurgitation, multiple sclerosis, ...: a name in capitals must follow
        boolean ambiguous = allCaps(t) && tk.length(t) == 2;
        if (ambiguous && !allCaps(u)) {
            return -1;
        }
        if (!Character.isUpperCase(tk.first(t)) && !dot && !WORDS_10.contains(w)) {
            // "sister", "nurse", "doctor" in lower case are words, not titles
            return -1;
        }
        int end = nameSeq(u, ambiguous ? Strength.WEAK : Strength.STRONG, true, false);
        return end > 0 ? claimName(u, end) : -1;
    }

    /** daughter Emiko, son-in-law Tom, her daughter's name is Emiko. */
    private int kin(int t) {
        if (!Lexicon.KIN.contains(tk.lower(t))) {
            return -1;
        }
        int u = t + 1;
        int steps = 0;
        while (u < tk.size() && steps < 8) {
            if (tk.inlineSpace(u) || tk.is(u, ',') || tk.is(u, '(') || tk.is(u, ':') || tk.is(u, '-') || tk.is(u, '"')
                    || tk.is(u, '\'') || tk.is(u, '\u2019')) {
                u++;
                steps++;
                continue;
            }
            if (tk.type(u) == WORD && WORDS_11
                    .contains(tk.lower(u))) {
                u++;
                steps++;
                continue;
            }
            break;
        }
        if (Lexicon.TITLES.contains(tk.lower(u))) {
            return -1; // the title rule takes "daughter Dr. Emiko Tanaka"
        }
        int end = nameSeq(u, Strength.STRONG, allCaps(t), false);
        if (end < 0) {
            return -1;
        }
        return claimName(u, end);
    }

    /** Emiko (daughter), Emiko, her daughter: a name right before a relative word. */
    private int kinAfterName(int t) {
        if (!capitalised(t) || !free(t)) {
            return -1;
        }
        int end = nameSeq(t, Strength.WEAK, false, false);
        if (end < 0) {
            return -1;
        }
        int u = end;
        int steps = 0;
        boolean connector = false;
        while (u < tk.size() && steps < 6 && (tk.inlineSpace(u) || tk.is(u, '(') || tk.is(u, ',') || tk.is(u, '-')
                || tk.type(u) == WORD && WORDS_12.contains(tk.lower(u))
                || tk.is(u, '\'') || tk.is(u, '\u2019'))) {
            connector |= !tk.inlineSpace(u);
            u++;
            steps++;
        }
        // "Emiko (daughter)", "Emiko, her daughter": a bracket, comma or pronoun between, not just a blank ("Call daughter")
        if (!connector || tk.type(u) != WORD || !Lexicon.KIN.contains(tk.lower(u))) {
            return -1;
        }
        return claimName(t, end);
    }

    /** Attending: Kwame Osei; PCP Jane Roe; Patient: LOPEZ, MARIA; Sincerely, (line) Kwame Osei. */
    private int role(int t) {
        String w = tk.lower(t);
        boolean colonOnly = WORDS_13.contains(w);
        if (!Lexicon.ROLES.contains(w) && !colonOnly) {
            return -1;
        }
        int u = t + 1;
        boolean colon = false;
        boolean crossLines = WORDS_14.contains(w);
        int steps = 0;
        while (u < tk.size() && steps < 4) {
            if (tk.is(u, ':')) {
                colon = true;
            } else if (!(tk.inlineSpace(u) || crossLines && tk.space(u) || tk.is(u, ',') || tk.is(u, '-')
                    || tk.type(u) == WORD && WORDS_15.contains(tk.lower(u)))) {
                break;
            }
            u++;
            steps++;
        }
        // short role words (cm, sw, np, pt, rn) are abbreviations of many things: only as a heading ("CM: Jane Roe")
        if (steps == 0 || (colonOnly || w.length() <= 3 && !w.equals("pcp")) && !colon) {
            return -1;
        }
        if (Lexicon.TITLES.contains(tk.lower(u))) {
            return -1;
        }
        int end = nameSeq(u, Strength.WEAK, colon || allCaps(t), colon);
        return end > 0 ? claimName(u, end) : -1;
    }

    /** seen by Kwame, discussed with Emiko, per Kwame. */
    private int act(int t) {
        String w = tk.lower(t);
        if (!Lexicon.ACT_LINKS.contains(w)) {
            return -1;
        }
        if (!w.equals("per")) {
            int p = tk.previous(t, false);
            if (p < 0 || tk.type(p) != WORD || !Lexicon.ACTS.contains(tk.lower(p))) {
                return -1;
            }
        }
        int u = t + 1;
        if (!tk.inlineSpace(u)) {
            return -1;
        }
        u++;
        if (tk.is(u, ':')) {
            u++;
            if (tk.inlineSpace(u)) {
                u++;
            }
        }
        if (Lexicon.TITLES.contains(tk.lower(u))) {
            return -1;
        }
        int end = nameSeq(u, Strength.WEAK, false, false);
        return end > 0 ? claimName(u, end) : -1;
    }

    private static final Set<String> AMBIGUOUS_CREDENTIALS = Set.of("do", "ma", "ms", "pt", "ot", "pa", "od", "rd", "bc", "emt");

    /** Kwame Osei, MD / Jane Roe RN / A. Lee, PA-C / Kwame Osei M.D.: the words before a credential. */
    private int credential(int t) {
        String w = tk.lower(t);
        boolean md = w.equals("m") && tk.is(t + 1, '.') && tk.type(t + 2) == WORD && tk.lower(t + 2).equals("d");
        if (!md && (!Lexicon.CREDENTIALS.contains(w) || !Character.isUpperCase(tk.first(t)))) {
            return -1;
        }
        int p = t - 1;
        boolean comma = false;
        if (tk.inlineSpace(p)) {
            p--;
        }
        if (tk.is(p, ',')) {
            comma = true;
            p--;
        }
        if (AMBIGUOUS_CREDENTIALS.contains(w) && !comma || !allCaps(t) && !w.equals("phd") && !w.equals("pharmd") && !md) {
            return -1;
        }
        // backwards over at most three name words (and initials)
        int start = -1;
        int words = 0;
        while (p >= 0 && words < MAX_NAME_WORDS + 2) {
            if (tk.is(p, '.') && p >= 1 && tk.type(p - 1) == WORD && tk.length(p - 1) == 1 && Character.isUpperCase(tk.first(p - 1))) {
                start = p - 1;
                p -= 2;
            } else if (tk.type(p) == WORD && nameLike(p, Strength.WEAK, allCaps(p) && words == 0 || allCaps(p) && start >= 0)
                    && free(p)) {
                start = p;
                words++;
                p--;
            } else {
                break;
            }
            if (!tk.inlineSpace(p)) {
                break;
            }
            p--;
        }
        if (words == 0) {
            return -1;
        }
        // the name runs from start up to the last word before the credential
        int last = t - 1;
        while (last > start && (tk.space(last) || tk.is(last, ','))) {
            last--;
        }
        claimName(start, last + 1);
        return -1; // the credential itself is not a name; the main pass moves on from t + 1
    }

    // ---------------------------------------------------------------- second pass: the same names elsewhere, neighbours

    private void expandNames() {
        if (nameWords.isEmpty()) {
            return;
        }
        for (int t = 0; t < tk.size(); t++) {
            if (free(t) && tk.type(t) == WORD && tk.length(t) > 1 && nameWords.contains(tk.lower(t))
                    && (Character.isUpperCase(tk.first(t))) && !Lexicon.HARD_STOP.contains(tk.lower(t))) {
                claim(t, t + 1, PhiCategory.NAME, null);
            }
        }
        // capitalised words right next to a name are part of it ("Emiko Tanaka" when "Emiko" is known)
        for (int t = 0; t < tk.size(); t++) {
            if (owner[t] < 0 || found.get(owner[t]).category() != PhiCategory.NAME) {
                continue;
            }
            particlesBefore(t);
            int right = t + 2;
            if (singleSpace(t + 1) && free(right) && nameLike(right, Strength.WEAK, allCaps(t) && tk.length(t) > 1)) {
                claim(right, right + 1, PhiCategory.NAME, null);
            }
            int left = t - 2;
            if (singleSpace(t - 1) && free(left) && nameLike(left, Strength.WEAK, allCaps(t) && tk.length(t) > 1)
                    && !sentenceStart(left)) {
                claim(left, left + 1, PhiCategory.NAME, null);
            }
        }
    }

    private boolean singleSpace(int t) {
        return tk.inlineSpace(t) && tk.length(t) == 1;
    }

    /**
     * Particles before a name word ("van der" Berg, "St." Clair): claimed with it, so the whole surname is one finding.
     * Walks left from name token t over at most three particles.
     */
    private void particlesBefore(int t) {
        int u = t;
        for (int steps = 0; steps < 3; steps++) {
            if (!singleSpace(u - 1)) {
                return;
            }
            int p = u - 2;
            if (tk.is(p, '.') && tk.type(p - 1) == WORD && tk.text(p - 1).equals("St") && free(p - 1) && free(p)) {
                claim(p - 1, p + 1, PhiCategory.NAME, null);
                u = p - 1;
            } else if (tk.type(p) == WORD && PARTICLES.contains(tk.lower(p)) && free(p)) {
                claim(p, p + 1, PhiCategory.NAME, null);
                u = p;
            } else {
                return;
            }
        }
    }

    /** Name findings with only a blank (or "St. "'s period) between them become one: the whole name is replaced. */
    private void mergeNames() {
        List<Found> merged = new ArrayList<>(found.size());
        for (Found f : found) {
            Found last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last.category() == PhiCategory.NAME && f.category() == PhiCategory.NAME && f.start() - last.end() <= 2
                    && text.substring(last.end(), f.start()).chars().allMatch(c -> c == ' ' || c == '.')) {
                merged.set(merged.size() - 1, new Found(last.start(), f.end(), PhiCategory.NAME));
            } else {
                merged.add(f);
            }
        }
        found.clear();
        found.addAll(merged);
    }

    private boolean sentenceStart(int t) {
        int p = tk.previous(t, false);
        return p < 0 || tk.is(p, '.') || tk.is(p, '!') || tk.is(p, '?');
    }
}
