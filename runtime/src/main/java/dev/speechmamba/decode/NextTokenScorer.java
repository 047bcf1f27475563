package dev.speechmamba.decode;

import java.util.List;

/**
 * An attention decoder as beam search sees it: next-token log-probabilities for a batch of prefixes,
 * all scored in one call. {@link AsrModelDecoder} adapts the model's decoder; tests use hand-made tables.
 */
public interface NextTokenScorer {

    /** Vocabulary size V. */
    int vocabSize();

    /**
     * log P(next token | prefix) for every prefix.
     *
     * @param prefixes token ids, each starting with &lt;sos&gt;
     * @return (N) rows of V log-probabilities
     */
    float[][] nextLogProbs(List<int[]> prefixes);
}
