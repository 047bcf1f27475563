package dev.speechmamba.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordErrorRateTest {

    private static void check(String ref, String hyp, long s, long d, long i) {
        WordErrorRate.Counts c = WordErrorRate.count(ref, hyp);
        assertEquals(new WordErrorRate.Counts(s, d, i, ref.isBlank() ? 0 : ref.strip().split("\\s+").length), c,
                "\"" + ref + "\" vs \"" + hyp + "\"");
    }

    @Test
    void handCountedCases() {
        check("the cat sat on the mat", "the cat sat on the mat", 0, 0, 0);
        check("the cat sat on the mat", "the bat sat on the mat", 1, 0, 0);
        check("the cat sat on the mat", "the cat on the mat", 0, 1, 0);
        check("the cat sat on the mat", "the cat sat down on the mat", 0, 0, 1);
        // Two 4-edit alignments exist (S1 D1 I2 and S3 I1); the backtrace prefers substitutions.
        check("a b c d", "x b d e f", 3, 0, 1);
        check("a b c", "", 0, 3, 0);
        check("", "a b", 0, 0, 2);
        check("one two three", "three two one", 2, 0, 0);
        check("  spaced   out  words ", "spaced out words", 0, 0, 0);
    }

    @Test
    void werAndTotals() {
        WordErrorRate.Counts a = WordErrorRate.count("a b c d", "a x c");
        assertEquals(0.5, a.wer(), 1e-12);
        WordErrorRate.Counts total = a.plus(WordErrorRate.count("e f", "e f g"));
        assertEquals(new WordErrorRate.Counts(1, 1, 1, 6), total);
        assertEquals(0.5, total.wer(), 1e-12);
        assertTrue(Double.isNaN(WordErrorRate.count("", "").wer()));
        assertEquals(Double.POSITIVE_INFINITY, WordErrorRate.count("", "x").wer());
        assertThrows(IllegalArgumentException.class, () -> WordErrorRate.count(null, "x"));
    }

    @Test
    void errorsEqualEditDistanceOnRandomPairs() {
        java.util.Random rng = new java.util.Random(3);
        for (int t = 0; t < 300; t++) {
            String ref = randomWords(rng), hyp = randomWords(rng);
            WordErrorRate.Counts c = WordErrorRate.count(ref, hyp);
            int n = ref.isEmpty() ? 0 : ref.split(" ").length, m = hyp.isEmpty() ? 0 : hyp.split(" ").length;
            assertEquals(n, c.referenceWords());
            // Alignment bookkeeping: matches + S + D = n and matches + S + I = m.
            assertEquals(n - m, c.deletions() - c.insertions(), ref + " | " + hyp);
            assertTrue(c.errors() >= Math.abs(n - m) && c.errors() <= Math.max(n, m));
        }
    }

    @Test
    void characterErrorsCountSpacesAndCollapseWhitespace() {
        WordErrorRate.Counts c = WordErrorRate.countCharacters("the cat", "  the   bat ");
        assertEquals(7, c.referenceWords());
        assertEquals(1, c.substitutions());
        assertEquals(0, c.deletions() + c.insertions());
        WordErrorRate.Counts joined = WordErrorRate.countCharacters("a cat", "acat");
        assertEquals(1, joined.deletions());
        assertEquals(1, joined.errors());
        assertEquals(0, WordErrorRate.countCharacters("", "").referenceWords());
    }

    private static String randomWords(java.util.Random rng) {
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = rng.nextInt(8); i < n; i++) s.append(i > 0 ? " " : "").append((char) ('a' + rng.nextInt(4)));
        return s.toString();
    }

    @Test
    void countsAreAMinimalEditOfTheTwoSequencesAtAnyLength() {
        java.util.Random random = new java.util.Random(7);
        for (int trial = 0; trial < 200; trial++) {
            List<String> ref = randomTokens(random, random.nextInt(12)), hyp = randomTokens(random, random.nextInt(12));
            WordErrorRate.Counts c = WordErrorRate.count(ref, hyp);
            assertEquals(editDistance(ref, hyp), c.errors(), ref + " vs " + hyp);
            // Matches are what is left of either side: the counts describe one alignment.
            assertEquals(ref.size() - c.substitutions() - c.deletions(), hyp.size() - c.substitutions() - c.insertions());
        }
        // Long inputs take two rows of memory (an hour's 50 000 characters needed a 10 GB table before and ran out of
        // heap in `eval`); 15 000 tokens keep the test short.
        List<String> longRef = randomTokens(random, 15_000);
        List<String> longHyp = new java.util.ArrayList<>(longRef.subList(10, longRef.size()));
        longHyp.set(1_000, "z");
        assertEquals(new WordErrorRate.Counts(1, 10, 0, 15_000), WordErrorRate.count(longRef, longHyp));
    }

    private static List<String> randomTokens(java.util.Random random, int length) {
        return random.ints(length, 0, 3).mapToObj(k -> "abc".substring(k, k + 1)).toList();
    }

    /** Levenshtein distance by the full table, the textbook way. */
    private static long editDistance(List<String> a, List<String> b) {
        int[][] d = new int[a.size() + 1][b.size() + 1];
        for (int i = 0; i <= a.size(); i++) d[i][0] = i;
        for (int j = 0; j <= b.size(); j++) d[0][j] = j;
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                d[i][j] = Math.min(d[i - 1][j - 1] + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1), Math.min(d[i - 1][j], d[i][j - 1]) + 1);
            }
        }
        return d[a.size()][b.size()];
    }
}
