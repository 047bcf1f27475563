package dev.speechmamba.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextNormalizerTest {

    private static void check(String expected, String input) {
        assertEquals(expected, TextNormalizer.normalize(input), "normalize(\"" + input + "\")");
    }

    @Test
    void cardinalsOrdinalsAndYears() {
        assertEquals("zero", NumberWords.cardinal(0));
        assertEquals("one thousand two hundred thirty four", NumberWords.cardinal(1234));
        assertEquals("minus forty two", NumberWords.cardinal(-42));
        assertEquals("one million one", NumberWords.cardinal(1_000_001));
        assertEquals("twenty first", NumberWords.ordinal(21));
        assertEquals("one hundredth", NumberWords.ordinal(100));
        assertEquals("twelfth", NumberWords.ordinal(12));
        assertEquals("ninetieth", NumberWords.ordinal(90));
        assertEquals("nineteen eighty four", NumberWords.year(1984));
        assertEquals("nineteen oh five", NumberWords.year(1905));
        assertEquals("nineteen hundred", NumberWords.year(1900));
        assertEquals("two thousand five", NumberWords.year(2005));
        assertEquals("twenty nineteen", NumberWords.year(2019));
        assertThrows(IllegalArgumentException.class, () -> NumberWords.ordinal(-1));
        assertThrows(IllegalArgumentException.class, () -> NumberWords.cardinal(Long.MIN_VALUE));
    }

    @Test
    void numbersInText() {
        check("i have three cats and twenty one dogs", "I have 3 cats and 21 dogs.");
        check("he was born in nineteen eighty four", "He was born in 1984!");
        check("pi is three point one four", "Pi is 3.14");
        check("the twenty first century", "the 21st century");
        check("one million people", "1,000,000 people");
        check("one two three", "1,2,3");
        check("it's minus five degrees", "It's -5 degrees");
        check("the nineteen nineties", "The 1990s");
        check("page one hundred twenty three", "page 123");
        check("the code is one two three four five six seven eight nine zero one two three four five six",
                "The code is 1234567890123456");
    }

    @Test
    void symbolsAndMoney() {
        check("fifty percent off", "50% off");
        check("five dollars", "$5");
        check("one dollar", "$1");
        check("three dollars and fifty cents", "$3.50");
        check("ninety nine cents", "$0.99");
        check("rock and roll", "Rock & Roll");
        check("two plus two equals four", "2 + 2 = 4");
        check("ten pounds", "£10");
    }

    @Test
    void caseAccentsPunctuationAndApostrophes() {
        check("don't panic", "DON'T PANIC!!!");
        check("the cafe's menu", "The café’s menu...");
        check("she said hello world", "She said, \"Hello -- world\".");
        check("the dogs bones", "the dogs' bones");
        check("o'clock", "'o'clock'");
        check("", "?!...");
        check("well known", "well-known");
        String out = TextNormalizer.normalize("Mixed: tabs\tand\nnewlines; (parentheses) [brackets] {braces} #hash");
        assertTrue(out.matches("[a-z' ]*"), out);
        assertThrows(IllegalArgumentException.class, () -> TextNormalizer.normalize(null));
    }

    @Test
    void outputAlphabetIsAlwaysSpoken() {
        java.util.Random rng = new java.util.Random(7);
        String alphabet = "aZ09 .,;:!?'\"-$%&+@=£€é’()#/\t\n";
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder s = new StringBuilder();
            for (int i = 0, n = rng.nextInt(40); i < n; i++) s.append(alphabet.charAt(rng.nextInt(alphabet.length())));
            String out = TextNormalizer.normalize(s.toString());
            assertTrue(out.matches("([a-z']+( [a-z']+)*)?"), "\"" + s + "\" -> \"" + out + "\"");
        }
    }
}
