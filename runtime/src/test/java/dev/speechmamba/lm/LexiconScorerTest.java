package dev.speechmamba.lm;

import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LexiconScorerTest {
    static final BpeTokenizer TOKENIZER = TokenLanguageModelTest.tokenizer();
    static final Lexicon LEXICON = Lexicon.of(List.of("the", "cat", "sat", "on", "mat", "dog", "a", "ran", "far", "away"));

    private static int[] withSos(int[] ids) {
        int[] p = new int[ids.length + 1];
        p[0] = TOKENIZER.sosEosId();
        System.arraycopy(ids, 0, p, 1, ids.length);
        return p;
    }

    private static float score(LexiconScorer scorer, int[] prefix, int token) {
        return scorer.nextLogProbs(List.of(prefix))[0][token];
    }

    private static int tokenOf(String piece) {
        for (int k = 0; k < TOKENIZER.vocabSize(); k++) {
            if (TOKENIZER.piece(k).text().equals(piece)) return k;
        }
        throw new AssertionError("no piece " + piece);
    }

    @Test
    void aWordIsChargedOnceWhenItLeavesTheLexicon() {
        LexiconScorer scorer = new LexiconScorer(LEXICON, TOKENIZER);
        assertEquals(TOKENIZER.vocabSize(), scorer.vocabSize());
        int eos = TOKENIZER.sosEosId();
        // "the c": "ca" can still become "cat"; "cd" cannot become any word: charged at the 'd'.
        int[] theC = withSos(TOKENIZER.encode("the c"));
        assertEquals(0f, score(scorer, theC, tokenOf("a")));
        assertEquals(-1f, score(scorer, theC, tokenOf("d")));
        // Ending "ca" (a prefix of "cat" but no word) costs one word, by <eos> or by starting the next word.
        int[] theCa = withSos(TOKENIZER.encode("the ca"));
        assertEquals(-1f, score(scorer, theCa, eos));
        assertEquals(-1f, score(scorer, theCa, tokenOf(BpeTokenizer.SPACE_MARKER + "sat")));
        // "the cat" ends as a word: free.
        int[] theCat = withSos(TOKENIZER.encode("the cat"));
        assertEquals(0f, score(scorer, theCat, eos));
        // "the cd" has left already: nothing more is charged for it, going on or ending.
        int[] theCd = withSos(TOKENIZER.encode("the cd"));
        assertEquals(0f, score(scorer, theCd, tokenOf("o")));
        assertEquals(0f, score(scorer, theCd, eos));
        // After a lone word marker, the next word is spelled from its first letter.
        int[] theCatSpace = {TOKENIZER.sosEosId(), tokenOf("\u2581the"), tokenOf("\u2581cat"), tokenOf("\u2581")};
        assertEquals(-1f, score(scorer, theCatSpace, tokenOf("g")));
        assertEquals(0f, score(scorer, theCatSpace, tokenOf("d")));
        // A word-starting piece that begins no word is charged at once.
        LexiconScorer small = new LexiconScorer(Lexicon.of(List.of("the", "cat")), TOKENIZER);
        int[] the = withSos(TOKENIZER.encode("the"));
        assertEquals(-1f, score(small, the, tokenOf("\u2581sat")));
        assertEquals(0f, score(small, the, tokenOf("\u2581cat")));
    }

    @Test
    void theChargesAlongAnEndedHypothesisCountItsUnknownWords() {
        LexiconScorer scorer = new LexiconScorer(LEXICON, TOKENIZER);
        int eos = TOKENIZER.sosEosId();
        List<Integer> ordinary = new ArrayList<>();
        for (int k = 0; k < TOKENIZER.vocabSize(); k++) {
            if (k != eos && k != TOKENIZER.blankId() && k != TOKENIZER.unkId()) ordinary.add(k);
        }
        SplittableRandom rng = new SplittableRandom(5);
        List<String> sentences = new ArrayList<>(TokenLanguageModelTest.TEXT);
        sentences.addAll(List.of("the cat ran far", "a dog", "the mat sat"));
        for (int trial = 0; trial < 300; trial++) {
            int[] tokens;
            if (trial < sentences.size()) {
                tokens = TOKENIZER.encode(sentences.get(trial));
            } else {
                tokens = new int[1 + rng.nextInt(8)];
                for (int i = 0; i < tokens.length; i++) tokens[i] = ordinary.get(rng.nextInt(ordinary.size()));
            }
            int[] prefix = withSos(new int[0]);
            double total = 0;
            for (int t : tokens) {
                total += score(scorer, prefix, t);
                prefix = Arrays.copyOf(prefix, prefix.length + 1);
                prefix[prefix.length - 1] = t;
            }
            total += score(scorer, prefix, eos);
            String text = TOKENIZER.decode(tokens).strip();
            long unknown = text.isEmpty() ? 0 : Arrays.stream(text.split(" +")).filter(w -> !LEXICON.contains(w)).count();
            assertEquals(-unknown, total, 1e-9, "'" + text + "' " + Arrays.toString(tokens));
        }
    }

    @Test
    void rejectsTokensThatCannotBeInAPrefix() {
        LexiconScorer scorer = new LexiconScorer(LEXICON, TOKENIZER);
        int[] bad = {TOKENIZER.sosEosId(), TOKENIZER.blankId()};
        assertThrows(IllegalArgumentException.class, () -> scorer.nextLogProbs(List.of(bad)));
        int[] outside = {TOKENIZER.sosEosId(), TOKENIZER.vocabSize()};
        assertThrows(IllegalArgumentException.class, () -> scorer.nextLogProbs(List.of(outside)));
    }
}
