package dev.speechmamba.trainer;

import dev.speechmamba.model.AsrModel;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.WordErrorRate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Loss and CTC-greedy WER of a model over a set of utterances (no augmentation, no dropout). */
public final class Evaluator {
    private Evaluator() { }

    /**
     * @param loss        mean joint loss per utterance (NaN when not computed)
     * @param counts      summed word errors
     * @param hypotheses  decoded text per utterance, in the input order
     */
    public record Result(double loss, WordErrorRate.Counts counts, List<String> hypotheses) {
        public double wer() { return counts.wer(); }
    }

    /**
     * Runs the model over {@code utterances} in duration-sorted batches of at most {@code batchSeconds}
     * padded seconds, with {@code threads} feature workers.
     */
    public static Result run(AsrModel model, BpeTokenizer tokenizer, FeaturePipeline pipeline, List<Utterance> utterances,
                             double batchSeconds, int threads, boolean withLoss) {
        int[][] tokens = new int[utterances.size()][];
        for (int i = 0; i < tokens.length; i++) tokens[i] = tokenizer.encode(utterances.get(i).text());
        DurationBatcher batcher = new DurationBatcher(Utterance.durations(utterances), batchSeconds, utterances.size());
        String[] hyps = new String[utterances.size()];
        WordErrorRate.Counts counts = WordErrorRate.Counts.ZERO;
        double lossSum = 0;
        try (BatchLoader loader = new BatchLoader(utterances, tokens, pipeline, threads, 2)) {
            BatchLoader.Iterator it = loader.iterate(batcher.sorted(), 0, 0, 0);
            while (it.hasNext()) {
                BatchLoader.Loaded b = it.next();
                if (withLoss) lossSum += model.loss(b.batch()).loss() * b.batch().batch();
                int[][] ids = CtcGreedy.decode(model, b.batch());
                for (int r = 0; r < ids.length; r++) {
                    int index = b.utterances()[r];
                    hyps[index] = tokenizer.decode(ids[r]);
                    counts = counts.plus(WordErrorRate.count(utterances.get(index).text(), hyps[index]));
                }
            }
        }
        return new Result(withLoss ? lossSum / utterances.size() : Double.NaN, counts, new ArrayList<>(Arrays.asList(hyps)));
    }
}
