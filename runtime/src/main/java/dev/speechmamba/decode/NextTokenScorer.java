package dev.speechmamba.decode;

import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

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

    /**
     * The rows of scorers whose prefixes are scored independently (the n-gram LM, the lexicon), several prefixes
     * in parallel: beam search asks for dozens per step, and each row is computed alone, so its values do not depend
     * on the threads.
     */
    static float[][] rowByRow(List<int[]> prefixes, Function<int[], float[]> row) {
        float[][] out = new float[prefixes.size()][];
        IntStream rows = IntStream.range(0, out.length);
        if (out.length >= PARALLEL_ROWS) rows = rows.parallel();
        rows.forEach(h -> out[h] = row.apply(prefixes.get(h)));
        return out;
    }

    /** Prefixes from which {@link #rowByRow} forks: below it, forking costs about what it saves. */
    int PARALLEL_ROWS = 4;
}
