package io.carebus.deid;

import static io.carebus.deid.FreeTextScrubber.MASK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long digit runs and long tokens, in the text and among the values: none may make a regular expression backtrack
 * deeply or recurse once per character (issue 20). The timeouts only stop a runaway match from hanging the build;
 * what is asserted is that each call returns and its output is right.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FreeTextScrubberTest {

    private static final int MB = 1024 * 1024;

    private static String digits(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) ('0' + (i * 7 + 3) % 10));
        }
        return b.toString();
    }

    private static String lettersAndSpaces(int length) {
        StringBuilder b = new StringBuilder(length);
        String words = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
        while (b.length() < length) {
            b.append(words);
        }
        b.setLength(length);
        return b.toString();
    }

    @Test
    void aMegabyteDigitRunInTheTextIsLeftAloneAndAKnownNumberAfterItIsStillFound() {
        FreeTextScrubber s = new FreeTextScrubber();
        s.add("555-123-4567");
        String run = digits(MB);
        assertThat(s.scrub(run)).isEqualTo(run);
        assertThat(s.scrub(run + " call (555) 123 4567 today")).isEqualTo(run + " call (" + MASK + " today");
        // The known number glued to the end of the run is part of a longer number, not the patient's.
        assertThat(s.scrub(run + "5551234567")).isEqualTo(run + "5551234567");
    }

    @Test
    void aMegabyteDigitRunAsAnIdentifierIsScrubbedWhereverItOccurs() {
        FreeTextScrubber s = new FreeTextScrubber();
        String id = digits(MB);
        s.add(id);
        s.add("Anna");
        assertThat(s.scrub("id " + id + " seen by Anna.")).isEqualTo("id " + MASK + " seen by " + MASK + ".");
        assertThat(s.scrub("nothing here but 1234567 and 7654321")).isEqualTo("nothing here but 1234567 and 7654321");
        // A different run of the same length is someone else's.
        String other = "9" + id.substring(1);
        assertThat(s.scrub(other)).isEqualTo(other);
    }

    @Test
    void digitsWrittenWithSeparatorsAreStillFoundButOnlyAsTheWholeNumber() {
        FreeTextScrubber s = new FreeTextScrubber();
        s.add("123-45-6789");
        assertThat(s.scrub("SSN 123 45 6789, or 123.45.6789, or 123456789.")).isEqualTo("SSN " + MASK + ", or " + MASK + ", or " + MASK + ".");
        assertThat(s.scrub("1123456789 and 1234567890 and 123 - - 456789")).isEqualTo("1123456789 and 1234567890 and 123 - - 456789");
        assertThat(s.scrub("(123) 45-6789")).isEqualTo("(" + MASK);
    }

    @Test
    void aMegabyteOfLettersAndSpacesIsScrubbedOfTheNamesInIt() {
        FreeTextScrubber s = new FreeTextScrubber();
        s.add("Anna Maria");
        s.add("Anna");
        s.add("Springfield");
        String text = lettersAndSpaces(MB / 2) + " Anna Maria went to springfield with ANNA " + lettersAndSpaces(MB / 2);
        assertThat(s.scrub(text)).isEqualTo(lettersAndSpaces(MB / 2) + " " + MASK + " went to " + MASK + " with " + MASK + " "
                + lettersAndSpaces(MB / 2));
        String plain = lettersAndSpaces(MB);
        assertThat(s.scrub(plain)).isEqualTo(plain);
    }

    @Test
    void aMegabyteTokenOfLettersInTheTextOrAmongTheValuesDoesNotRecursePerCharacter() {
        FreeTextScrubber s = new FreeTextScrubber();
        String token = "a".repeat(MB);
        s.add("Anna");
        // In the text: a name glued into a long word is not the name.
        assertThat(s.scrub(token + "anna " + token + " anna")).isEqualTo(token + "anna " + token + " " + MASK);
        // Among the values (a name field that is one long token), and in the text next to a shorter run of it.
        s.add(token);
        assertThat(s.scrub("x " + token + " y")).isEqualTo("x " + MASK + " y");
        String shorter = token.substring(1);
        assertThat(s.scrub("x " + shorter + " y, Anna")).isEqualTo("x " + shorter + " y, " + MASK);
        String spaced = lettersAndSpaces(MB);
        s.add(spaced);
        assertThat(s.scrub("<" + spaced + ">")).isEqualTo("<" + MASK + ">");
    }
}
