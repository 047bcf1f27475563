package dev.speechmamba.lm;

import dev.speechmamba.decode.NextTokenScorer;
import dev.speechmamba.text.BpeTokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An n-gram LM over the ASR model's BPE pieces, seen as beam search sees a decoder: natural-log next-token
 * probabilities for every token id of the model's vocabulary. {@code <sos/eos>} scores {@code </s>}, the blank
 * can never follow, the tokenizer's unknown piece (and any piece the LM lacks) scores {@code <unk>}. The words of
 * the LM are the pieces' texts ({@link #lmWords}), so an ARPA file built by any toolkit over text split into the
 * same pieces works too.
 */
public final class TokenLanguageModel implements NextTokenScorer {
    private static final double LN10 = Math.log(10);

    private final NgramLm lm;
    private static final int BLANK = -1, UNKNOWN = -2; // UNKNOWN: a piece the LM lacks, and it has no <unk>
    private final int[] lmIdOfToken;
    private final int sosEos;

    /**
     * @throws IllegalArgumentException when the LM was made for other pieces (fewer than 90 % of the tokenizer's
     *                                  pieces are in its vocabulary)
     */
    public TokenLanguageModel(NgramLm lm, BpeTokenizer tokenizer) {
        this.lm = lm;
        this.sosEos = tokenizer.sosEosId();
        int v = tokenizer.vocabSize();
        lmIdOfToken = new int[v];
        int ordinary = 0, known = 0;
        int unk = lm.unk() >= 0 ? lm.unk() : UNKNOWN;
        for (int k = 0; k < v; k++) {
            if (k == tokenizer.blankId()) lmIdOfToken[k] = BLANK;
            else if (k == sosEos) lmIdOfToken[k] = lm.eos();
            else if (k == tokenizer.unkId()) lmIdOfToken[k] = unk;
            else {
                ordinary++;
                int id = lm.wordId(tokenizer.piece(k).text());
                if (id >= 0) known++;
                lmIdOfToken[k] = id >= 0 ? id : unk;
            }
        }
        if (ordinary > 0 && known < 0.9 * ordinary) {
            throw new IllegalArgumentException("language model: its words are not this model's BPE pieces (only " + known
                    + " of " + ordinary + " pieces are in the LM's vocabulary); train it with 'speech-mamba train-lm' and this model's tokenizer");
        }
    }

    public NgramLm ngram() { return lm; }

    @Override public int vocabSize() { return lmIdOfToken.length; }

    @Override
    public float[][] nextLogProbs(List<int[]> prefixes) {
        return NextTokenScorer.rowByRow(prefixes, this::row);
    }

    private float[] row(int[] prefix) {
        int keep = Math.min(prefix.length, lm.order() - 1); // the last order-1 tokens (with <sos> as <s>)
        int[] context = new int[keep];
        for (int i = 0; i < keep; i++) {
            int pos = prefix.length - keep + i;
            context[i] = pos == 0 ? lm.bos() : lmId(prefix[pos]);
        }
        double[] all = new double[lm.vocabulary().size()];
        lm.nextLog10Probs(context, keep, all);
        float[] row = new float[lmIdOfToken.length];
        for (int k = 0; k < row.length; k++) {
            int id = lmIdOfToken[k];
            row[k] = id == BLANK ? Float.NEGATIVE_INFINITY
                    : (float) (LN10 * (id == UNKNOWN ? NgramLm.NEVER : all[id]));
        }
        return row;
    }

    private int lmId(int token) {
        if (token < 0 || token >= lmIdOfToken.length || lmIdOfToken[token] == BLANK) {
            throw new IllegalArgumentException("language model: token " + token + " cannot be in a prefix");
        }
        return lmIdOfToken[token] == UNKNOWN ? lm.eos() : lmIdOfToken[token]; // an unknown context word: </s> resets, as a fresh start
    }

    /** The LM words for one sentence: its BPE pieces' texts. */
    public static List<String> lmWords(BpeTokenizer tokenizer, String sentence) {
        int[] ids = tokenizer.encode(sentence);
        List<String> words = new ArrayList<>(ids.length);
        for (int id : ids) words.add(tokenizer.piece(id).text());
        return words;
    }

    /** Every piece an LM for this tokenizer should know (all but the blank, {@code <sos/eos>} and the unknown piece). */
    public static Collection<String> pieceVocabulary(BpeTokenizer tokenizer) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < tokenizer.vocabSize(); k++) {
            if (k == tokenizer.blankId() || k == tokenizer.sosEosId() || k == tokenizer.unkId()) continue;
            out.add(tokenizer.piece(k).text());
        }
        return out;
    }
}
