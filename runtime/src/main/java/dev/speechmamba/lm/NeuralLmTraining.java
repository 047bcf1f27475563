package dev.speechmamba.lm;

import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.train.AdamOptimizer;
import dev.speechmamba.train.GradientClipping;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Trains a {@link NeuralLm} on tokenized sentences: Adam, a linear warm-up to the peak learning rate and a linear
 * decay to zero at the last step (a fixed budget of steps, so the run ends cooled down), batches of about
 * {@code batchTokens} pieces made of sentences of similar length, global gradient clipping. The last step's rate is
 * one step short of zero.
 */
public final class NeuralLmTraining {
    /**
     * @param batchTokens  pieces per batch, padding included (a batch holds at least one sentence)
     * @param steps        optimizer steps in all
     * @param peakLr       learning rate after the warm-up
     * @param warmupSteps  steps of the linear warm-up
     * @param clipNorm     global gradient norm cap (0: none)
     * @param seed         shuffling and dropout
     * @param logEvery     steps between progress lines (0: none)
     */
    public record Options(int batchTokens, int steps, double peakLr, int warmupSteps, double clipNorm, long seed, int logEvery) {
        public Options {
            if (batchTokens < 1) throw new IllegalArgumentException("neural LM training: batch tokens must be >= 1, got " + batchTokens);
            if (steps < 1) throw new IllegalArgumentException("neural LM training: steps must be >= 1, got " + steps);
            if (!(peakLr > 0) || Double.isInfinite(peakLr)) throw new IllegalArgumentException("neural LM training: peak LR must be > 0, got " + peakLr);
            if (warmupSteps < 0 || warmupSteps >= steps) {
                throw new IllegalArgumentException("neural LM training: warm-up steps must be in [0, steps), got " + warmupSteps);
            }
            if (!(clipNorm >= 0)) throw new IllegalArgumentException("neural LM training: clip norm must be >= 0, got " + clipNorm);
            if (logEvery < 0) throw new IllegalArgumentException("neural LM training: log interval must be >= 0, got " + logEvery);
        }

        /** The learning rate of step {@code step} (1-based). */
        public double learningRate(int step) {
            if (step <= warmupSteps) return peakLr * step / Math.max(1, warmupSteps);
            return peakLr * Math.max(0, steps - step + 1) / (double) (steps - warmupSteps);
        }
    }

    private final Options options;

    public NeuralLmTraining(Options options) { this.options = options; }

    /**
     * Trains {@code lm} in place.
     *
     * @param sentences  training sentences as piece ids (no {@code <sos/eos>})
     * @param afterStep  called after each step with its number (checkpoints, stopping by time); may be null
     * @return the mean training loss per piece over the last log interval (or all steps)
     */
    public double train(NeuralLm lm, List<int[]> sentences, PrintWriter log, IntConsumer afterStep) {
        if (sentences.isEmpty()) throw new IllegalArgumentException("neural LM training: no sentences");
        Random rng = new Random(options.seed());
        double windowNats = 0;
        long windowTokens = 0, windowStart = System.nanoTime();
        int step = 0, epoch = 0;
        try (AdamOptimizer adam = new AdamOptimizer(lm.parameters(), 0.9f, 0.98f, 1e-9f, 0f)) {
            while (step < options.steps()) {
                epoch++;
                for (List<int[]> batch : batches(sentences, rng)) {
                    if (step >= options.steps()) break;
                    step++;
                    lm.parameters().zeroGrads();
                    NeuralLm.Loss loss = lm.forwardBackward(batch, true, rng.nextLong(), 1f);
                    if (options.clipNorm() > 0) GradientClipping.clipGlobalNorm(lm.backend(), lm.parameters().grads(), options.clipNorm());
                    adam.step((float) options.learningRate(step));
                    windowNats += loss.nats();
                    windowTokens += loss.tokens();
                    if (log != null && options.logEvery() > 0 && (step % options.logEvery() == 0 || step == options.steps())) {
                        double seconds = (System.nanoTime() - windowStart) / 1e9;
                        log.printf(Locale.ROOT, "step %d/%d (epoch %d): loss %.4f nats/piece (perplexity %.2f), lr %.2e, %.0f pieces/s%n",
                                step, options.steps(), epoch, windowNats / windowTokens, Math.exp(windowNats / windowTokens),
                                options.learningRate(step), windowTokens / seconds);
                        log.flush();
                        if (step < options.steps()) {
                            windowNats = 0;
                            windowTokens = 0;
                            windowStart = System.nanoTime();
                        }
                    }
                    if (afterStep != null) afterStep.accept(step);
                }
            }
        }
        return windowTokens == 0 ? 0 : windowNats / windowTokens;
    }

    /**
     * One epoch's batches: the sentences shuffled, sorted by length within windows of about 50 batches (little
     * padding, yet every batch a fresh mix), cut at {@code batchTokens} padded pieces, the batches shuffled.
     */
    List<List<int[]>> batches(List<int[]> sentences, Random rng) {
        List<int[]> shuffled = new ArrayList<>(sentences);
        Collections.shuffle(shuffled, rng);
        long total = 0;
        for (int[] s : shuffled) total += s.length + 1;
        int window = (int) Math.max(1, Math.min(shuffled.size(), 50L * options.batchTokens() * shuffled.size() / Math.max(1, total)));
        List<List<int[]>> out = new ArrayList<>();
        for (int from = 0; from < shuffled.size(); from += window) {
            List<int[]> part = new ArrayList<>(shuffled.subList(from, Math.min(shuffled.size(), from + window)));
            part.sort(Comparator.comparingInt(s -> s.length));
            List<int[]> batch = new ArrayList<>();
            int longest = 0;
            for (int[] s : part) {
                int len = Math.max(longest, s.length + 1);
                if (!batch.isEmpty() && len * (batch.size() + 1) > options.batchTokens()) {
                    out.add(batch);
                    batch = new ArrayList<>();
                    len = s.length + 1;
                }
                batch.add(s);
                longest = len;
            }
            if (!batch.isEmpty()) out.add(batch);
        }
        Collections.shuffle(out, rng);
        return out;
    }

    /** Perplexity per piece ({@code <eos>} included) of {@code lm} on {@code sentences}, in batches. */
    public static double perplexity(NeuralLm lm, List<int[]> sentences, int batchSentences) {
        double nats = 0;
        long tokens = 0;
        for (int from = 0; from < sentences.size(); from += batchSentences) {
            NeuralLm.Loss loss = lm.loss(sentences.subList(from, Math.min(sentences.size(), from + batchSentences)));
            nats += loss.nats();
            tokens += loss.tokens();
        }
        return tokens == 0 ? Double.NaN : Math.exp(nats / tokens);
    }
}
