package dev.speechmamba.trainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Everything {@link Trainer} needs. Defaults ({@link #defaults}) follow the paper where it speaks (Adam
 * β = (0.9, 0.98), ε = 1e-9, peak lr 1e-3 with Noam warm-up, clipping 5.0) and suit small corpora otherwise.
 *
 * @param config        named config or JSON file (its vocab_size is replaced by the tokenizer's)
 * @param train         training manifest
 * @param valid         validation manifest, or null for no validation
 * @param out           output folder (tokenizer, CMVN, checkpoints, model, metrics, plot)
 * @param device        backend name: cpu, cuda, reference or auto
 * @param epochs        epochs to train in total (a resumed run counts the epochs already done)
 * @param maxSteps      stop after this many optimizer steps in total, 0 for no limit
 * @param seed          seeds weights, data order, augmentation and dropout
 * @param vocabSize     BPE vocabulary size when a tokenizer is trained
 * @param batchSeconds  padded audio seconds per micro-batch
 * @param bucketSize    utterances per length bucket
 * @param accumSteps    micro-batches per optimizer step
 * @param peakLr        Noam peak learning rate (reached at warmupSteps)
 * @param warmupSteps   Noam warm-up steps
 * @param clipNorm      global gradient-norm clipping threshold
 * @param ckptEvery     save a checkpoint every N optimizer steps (0: only at epoch ends and the end)
 * @param keepCheckpoints how many of the newest checkpoints to keep (at least averageLast)
 * @param averageLast   the exported model averages the last k checkpoints
 * @param resume        continue from the newest checkpoint in out
 * @param augment       speed perturbation and SpecAugment on training features
 * @param dropout       overrides the config's dropout when not null
 * @param threads       feature-extraction threads
 * @param progress      where the progress bar goes (stderr), or null for none
 * @param attentionWindow encoder self-attention limited to ±window frames, or -1 for full attention
 * @param globalTokens  global positions added to the window (needs a window)
 * @param initFrom      start from this model's weights, tokenizer and CMVN (file or folder), or null for a fresh
 *                      model; the optimizer and schedule start fresh
 * @param vtlp          vocal-tract length perturbation of training features: the largest filterbank warp drawn
 *                      around 1 (e.g. 0.1 for factors 0.9 to 1.1), or 0 for none
 * @param edgeSilence   the longest silence (seconds) added before and after half the training utterances
 *                      ({@link dev.speechmamba.audio.EdgeSilence}), or 0 for none
 * @param equalizerDb   the largest boost or cut (dB) of a random equalizer per training utterance
 *                      ({@link dev.speechmamba.audio.RandomEqualizer}), or 0 for none
 * @param freeze        regular expression over parameter names ({@code model-info} lists them): those it matches
 *                      keep their values (fine-tuning part of a model), or null for none
 */
public record TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                           long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                           int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                           boolean resume, boolean augment, Float dropout, int threads, PrintStream progress,
                           int attentionWindow, int globalTokens, Path initFrom, double vtlp, double edgeSilence,
                           double equalizerDb, String freeze) {
    /** No frozen parameters. */
    public TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                        long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                        int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                        boolean resume, boolean augment, Float dropout, int threads, PrintStream progress,
                        int attentionWindow, int globalTokens, Path initFrom, double vtlp, double edgeSilence,
                        double equalizerDb) {
        this(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout, threads,
                progress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, equalizerDb, null);
    }

    /** No random equalizer. */
    public TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                        long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                        int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                        boolean resume, boolean augment, Float dropout, int threads, PrintStream progress,
                        int attentionWindow, int globalTokens, Path initFrom, double vtlp, double edgeSilence) {
        this(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout, threads,
                progress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, 0);
    }

    /** No vocal-tract length perturbation, no edge silence. */
    public TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                        long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                        int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                        boolean resume, boolean augment, Float dropout, int threads, PrintStream progress,
                        int attentionWindow, int globalTokens, Path initFrom) {
        this(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout, threads,
                progress, attentionWindow, globalTokens, initFrom, 0, 0);
    }

    /** No initial model. */
    public TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                        long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                        int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                        boolean resume, boolean augment, Float dropout, int threads, PrintStream progress,
                        int attentionWindow, int globalTokens) {
        this(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout, threads,
                progress, attentionWindow, globalTokens, null);
    }

    /** Full encoder attention (no window, no global tokens). */
    public TrainOptions(String config, Path train, Path valid, Path out, String device, int epochs, long maxSteps,
                        long seed, int vocabSize, double batchSeconds, int bucketSize, int accumSteps, double peakLr,
                        int warmupSteps, double clipNorm, long ckptEvery, int keepCheckpoints, int averageLast,
                        boolean resume, boolean augment, Float dropout, int threads, PrintStream progress) {
        this(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout, threads,
                progress, -1, 0);
    }

    public TrainOptions {
        StringBuilder bad = new StringBuilder();
        if (config == null || config.isBlank()) bad.append("; --config is required");
        if (train == null) bad.append("; --train is required");
        if (out == null) bad.append("; --out is required");
        if (epochs < 1) bad.append("; --epochs must be >= 1, got ").append(epochs);
        if (maxSteps < 0) bad.append("; --max-steps must be >= 0, got ").append(maxSteps);
        if (!(batchSeconds > 0)) bad.append("; --batch-seconds must be positive, got ").append(batchSeconds);
        if (bucketSize < 1) bad.append("; --bucket-size must be >= 1, got ").append(bucketSize);
        if (accumSteps < 1) bad.append("; --accum-steps must be >= 1, got ").append(accumSteps);
        if (!(peakLr > 0)) bad.append("; --lr must be positive, got ").append(peakLr);
        if (warmupSteps < 1) bad.append("; --warmup-steps must be >= 1, got ").append(warmupSteps);
        if (!(clipNorm > 0)) bad.append("; --clip must be positive, got ").append(clipNorm);
        if (ckptEvery < 0) bad.append("; --ckpt-every must be >= 0, got ").append(ckptEvery);
        if (averageLast < 1) bad.append("; --average-last must be >= 1, got ").append(averageLast);
        if (keepCheckpoints < 1) bad.append("; --keep-checkpoints must be >= 1, got ").append(keepCheckpoints);
        if (threads < 1) bad.append("; --threads must be >= 1, got ").append(threads);
        if (dropout != null && !(dropout >= 0 && dropout < 1)) bad.append("; --dropout must be in [0, 1), got ").append(dropout);
        if (attentionWindow < -1) bad.append("; --attention-window must be >= 0 frames, got ").append(attentionWindow);
        if (globalTokens < 0) bad.append("; --global-tokens must be >= 0, got ").append(globalTokens);
        if (globalTokens > 0 && attentionWindow < 0) bad.append("; --global-tokens needs --attention-window");
        if (!(vtlp == 0 || (vtlp >= 0.01 && vtlp <= 0.2))) {
            bad.append("; --vtlp must be 0 (off) or a maximum warp in [0.01, 0.2], got ").append(vtlp);
        }
        if (!(edgeSilence == 0 || (edgeSilence >= 0.01 && edgeSilence <= 5))) {
            bad.append("; --edge-silence must be 0 (off) or a longest silence in [0.01, 5] s, got ").append(edgeSilence);
        }
        if (!(equalizerDb == 0 || (equalizerDb >= 0.5 && equalizerDb <= 20))) {
            bad.append("; --random-eq must be 0 (off) or a largest gain in [0.5, 20] dB, got ").append(equalizerDb);
        }
        if (freeze != null) {
            try {
                Pattern.compile(freeze);
            } catch (PatternSyntaxException e) {
                bad.append("; --freeze is not a regular expression: ").append(e.getDescription()).append(" in '").append(freeze).append("'");
            }
        }
        if (!bad.isEmpty()) throw new IllegalArgumentException("train: " + bad.substring(2));
    }

    /** Trains with the encoder's self-attention limited to ±window frames plus {@code global} global positions. */
    public TrainOptions withEncoderAttention(int window, int global) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, window, global, initFrom, vtlp, edgeSilence, equalizerDb, freeze);
    }

    /** The defaults for {@code config}, {@code train}, {@code valid} and {@code out}. */
    public static TrainOptions defaults(String config, Path train, Path valid, Path out) {
        return new TrainOptions(config, train, valid, out, "auto", 10, 0, 1, 256, 60, 256, 1, 1e-3, 1000, 5.0, 0, 5, 1,
                false, true, null, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), System.err);
    }

    public TrainOptions withEpochs(int e) { return with(e, maxSteps, resume, ckptEvery); }

    public TrainOptions withMaxSteps(long s) { return with(epochs, s, resume, ckptEvery); }

    public TrainOptions withResume(boolean r) { return with(epochs, maxSteps, r, ckptEvery); }

    public TrainOptions withCkptEvery(long n) { return with(epochs, maxSteps, resume, n); }

    /** Starts from {@code model}'s weights, tokenizer and CMVN instead of a fresh model. */
    public TrainOptions withInitFrom(Path model) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, model, vtlp, edgeSilence, equalizerDb, freeze);
    }

    /** The same options writing to another output folder. */
    public TrainOptions withOut(Path folder) {
        return new TrainOptions(config, train, valid, folder, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, equalizerDb, freeze);
    }

    /** Trains with vocal-tract length perturbation up to ±{@code maxWarp} (0: none). */
    public TrainOptions withVtlp(double maxWarp) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, initFrom, maxWarp, edgeSilence, equalizerDb, freeze);
    }

    /** Trains with up to {@code maxSeconds} of silence before and after half the utterances (0: none). */
    public TrainOptions withEdgeSilence(double maxSeconds) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, initFrom, vtlp, maxSeconds, equalizerDb, freeze);
    }

    /** Keeps the parameters whose names match regular expression {@code regex} fixed (null: none). */
    public TrainOptions withFreeze(String regex) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, equalizerDb, regex);
    }

    /** Trains through a random equalizer of up to ±{@code maxDb} dB per utterance (0: none). */
    public TrainOptions withRandomEqualizer(double maxDb) {
        return new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize, batchSeconds, bucketSize,
                accumSteps, peakLr, warmupSteps, clipNorm, ckptEvery, keepCheckpoints, averageLast, resume, augment, dropout,
                threads, progress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, maxDb, freeze);
    }

    private TrainOptions with(int e, long s, boolean r, long c) {
        return new TrainOptions(config, train, valid, out, device, e, s, seed, vocabSize, batchSeconds, bucketSize, accumSteps,
                peakLr, warmupSteps, clipNorm, c, keepCheckpoints, averageLast, r, augment, dropout, threads, progress,
                attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, equalizerDb, freeze);
    }

    /** A copy with other training knobs (tests and the CLI build options step by step). */
    public TrainOptions withTraining(String newDevice, long newSeed, int newVocab, double newBatchSeconds, int newAccum,
                                     double newLr, int newWarmup, boolean newAugment, Float newDropout, int newAverage,
                                     PrintStream newProgress) {
        return new TrainOptions(config, train, valid, out, newDevice, epochs, maxSteps, newSeed, newVocab, newBatchSeconds,
                bucketSize, newAccum, newLr, newWarmup, clipNorm, ckptEvery, Math.max(keepCheckpoints, newAverage), newAverage,
                resume, newAugment, newDropout, threads, newProgress, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, equalizerDb, freeze);
    }

    /** The settings that fix the data order: a resumed run must use the same ones. */
    String dataPlan(int trainUtterances) {
        return "seed=" + seed + ";batch_seconds=" + batchSeconds + ";bucket_size=" + bucketSize + ";accum_steps=" + accumSteps
                + ";augment=" + augment + ";train_utterances=" + trainUtterances
                + (attentionWindow >= 0 ? ";attention_window=" + attentionWindow + ";global_tokens=" + globalTokens : "")
                + (vtlp > 0 ? ";vtlp=" + vtlp : "") + (edgeSilence > 0 ? ";edge_silence=" + edgeSilence : "")
                + (equalizerDb > 0 ? ";random_eq_db=" + equalizerDb : "");
    }
}
