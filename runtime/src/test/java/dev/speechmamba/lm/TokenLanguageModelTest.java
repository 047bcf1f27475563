package dev.speechmamba.lm;

import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenLanguageModelTest {
    static final List<String> TEXT = List.of("the cat sat on the mat", "the dog sat on the log", "a cat ran far away",
            "the cat ran to the mat", "a dog sat far away");

    static BpeTokenizer tokenizer() { return BpeTrainer.train(TEXT, new BpeTrainer.Options(30, false)); }

    static NgramLm lm(BpeTokenizer tok, List<String> text) {
        List<List<String>> pieces = new ArrayList<>();
        for (String s : text) pieces.add(TokenLanguageModel.lmWords(tok, s));
        return new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(4)).train(pieces, TokenLanguageModel.pieceVocabulary(tok));
    }

    @Test
    void scoresEveryModelTokenAndMapsTheSpecialOnes() {
        BpeTokenizer tok = tokenizer();
        NgramLm ngram = lm(tok, TEXT);
        TokenLanguageModel lm = new TokenLanguageModel(ngram, tok);
        assertEquals(tok.vocabSize(), lm.vocabSize());
        int[] the = tok.encode("the");
        int[] prefix = new int[the.length + 1];
        prefix[0] = tok.sosEosId();
        System.arraycopy(the, 0, prefix, 1, the.length);
        float[][] rows = lm.nextLogProbs(List.of(new int[] {tok.sosEosId()}, prefix));
        for (float[] row : rows) {
            assertEquals(Float.NEGATIVE_INFINITY, row[tok.blankId()]);
            double sum = 0;
            for (int k = 0; k < row.length; k++) if (k != tok.unkId()) sum += Math.exp(row[k]);
            // Every LM word but <unk> is a distinct model token: their probabilities sum to 1 - P(<unk>).
            assertTrue(sum > 0.9 && sum <= 1.0 + 1e-4, "sum " + sum);
        }
        // After "the", the text continues with " cat", " dog", " mat", " log": the LM must prefer a word start
        // it has seen over ending the sentence.
        float[] afterThe = rows[1];
        int[] cat = tok.encode("the cat");
        int next = cat[the.length];
        assertTrue(afterThe[next] > afterThe[tok.sosEosId()], "P(cat piece | the) should exceed P(</s> | the)");
        // The same numbers as the n-gram model, by hand: <s> the... -> </s>.
        int[] ctx = new int[prefix.length];
        ctx[0] = ngram.bos();
        for (int i = 1; i < prefix.length; i++) ctx[i] = ngram.wordId(tok.piece(prefix[i]).text());
        assertEquals(Math.log(10) * ngram.log10Prob(ctx, ctx.length, ngram.eos()), afterThe[tok.sosEosId()], 1e-5);
    }

    @Test
    void anLmOfOtherPiecesIsRejectedWithAClearMessage() {
        BpeTokenizer tok = tokenizer();
        BpeTokenizer other = BpeTrainer.train(List.of("zebra quantum xylophone jukebox", "vexing wizards quickly jump"),
                new BpeTrainer.Options(40, false));
        NgramLm foreign = lm(other, List.of("zebra quantum xylophone jukebox", "vexing wizards quickly jump"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenLanguageModel(foreign, tok));
        assertTrue(e.getMessage().contains("not this model's BPE pieces"), e.getMessage());
    }

    @Test
    void lmTextLeavesOutEveryHeldOutSentence(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "The cat sat.\nthe dog sat on the log\n\nA cat ran, far away!\n");
        Path heldOut = dir.resolve("test.jsonl");
        Files.writeString(heldOut, "{\"audio_filepath\":\"a.wav\",\"duration\":1.0,\"text\":\"the dog sat on the log\"}\n");
        LmText lmText = new LmText().addTextFile(text).exclude(heldOut);
        assertEquals(List.of("the cat sat", "a cat ran far away"), lmText.sentences());
        assertEquals(1, lmText.droppedForExclusion());
        assertEquals(List.of("the dog sat on the log"), lmText.heldOut());
        assertThrows(java.io.IOException.class, () -> new LmText().exclude(dir.resolve("missing.jsonl")));
    }

    @Test
    void lmTextWeighsEachSourceAndKeepsTheLargerWeightOfASentenceAddedTwice() {
        LmText lmText = new LmText().add(List.of("The cat sat.", "a dog ran"), 3).add(List.of("the cat sat", "a bird flew"))
                .add(List.of("a bird flew"), 2);
        assertEquals(List.of("the cat sat", "a dog ran", "a bird flew"), lmText.sentences());
        assertArrayEquals(new int[] {3, 3, 2}, lmText.weights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LmText().add(List.of("x y z"), 0));
        assertTrue(e.getMessage().contains("weight must be >= 1"), e.getMessage());
    }

    /** Many prefixes at once (scored in parallel) give each prefix's row alone, bit for bit. */
    @Test
    void aBatchOfPrefixesScoresAsEachAlone() {
        BpeTokenizer tok = tokenizer();
        TokenLanguageModel lm = new TokenLanguageModel(lm(tok, TEXT), tok);
        List<int[]> prefixes = new ArrayList<>();
        for (String s : TEXT) {
            int[] ids = tok.encode(s);
            for (int n = 0; n <= ids.length; n += 2) {
                int[] prefix = new int[n + 1];
                prefix[0] = tok.sosEosId();
                System.arraycopy(ids, 0, prefix, 1, n);
                prefixes.add(prefix);
            }
        }
        float[][] batch = lm.nextLogProbs(prefixes);
        assertEquals(prefixes.size(), batch.length);
        for (int i = 0; i < prefixes.size(); i++) assertArrayEquals(lm.nextLogProbs(List.of(prefixes.get(i)))[0], batch[i], "prefix " + i);
    }
}
