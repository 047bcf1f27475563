package dev.speechmamba.trainer;

import dev.speechmamba.audio.EdgeSilence;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.RandomEqualizer;
import dev.speechmamba.audio.SpecAugment;
import dev.speechmamba.audio.VocalTractPerturbation;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.data.ProgressBar;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.Parameter;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.train.AdamOptimizer;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.train.GradientClipping;
import dev.speechmamba.train.NoamSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The training loop of {@code speech-mamba train}. Prepares the output folder (BPE tokenizer trained on the
 * training transcripts and global CMVN statistics, unless already there), then per optimizer step: accumulates
 * gradients of {@code accumSteps} micro-batches (joint loss 0.3·CTC + 0.7·CE, computed by the model), clips the
 * global norm, and applies Adam with the Noam learning rate. After every epoch it measures validation loss and
 * CTC-greedy WER. Checkpoints (atomic) hold everything needed to continue exactly: weights, Adam moments and
 * step, epoch, batch position in the epoch and the seed (all randomness is counter-based, see {@link Seeds}).
 * At the end the last k checkpoints are averaged into {@code model.safetensors}.
 */
public final class Trainer {
    public static final String TOKENIZER_FILE = "tokenizer.json", CMVN_FILE = "cmvn.json", METRICS_FILE = "metrics.jsonl",
            PLOT_FILE = "loss.png";

    /** What a run did. */
    public record Result(long steps, int epochsCompleted, List<Double> trainLosses, List<Evaluator.Result> validations,
                         Path model) { }

    private final TrainOptions o;

    public Trainer(TrainOptions options) { this.o = options; }

    public Result run() throws IOException {
        Path out = o.out();
        Files.createDirectories(out);
        List<Utterance> train = Utterance.readManifest(o.train());
        List<Utterance> valid = o.valid() == null ? List.of() : Utterance.readManifest(o.valid());
        CheckpointStore store = new CheckpointStore(out);
        List<Path> existing = store.list();
        if (!o.resume() && !existing.isEmpty()) {
            throw new IllegalArgumentException(out + " already holds checkpoints (" + existing.getLast().getFileName()
                    + "); pass --resume to continue that run or choose a new --out folder");
        }
        if (o.resume() && existing.isEmpty()) log("no checkpoint in " + store.folder() + "; starting from scratch");
        InitialModel init = null;
        if (o.initFrom() != null && existing.isEmpty()) {
            init = InitialModel.read(o.initFrom());
            init.adoptArtifacts(out.resolve(TOKENIZER_FILE), out.resolve(CMVN_FILE));
        } else if (o.initFrom() != null) {
            log("--init-from " + o.initFrom() + " is not read: this run continues from its own checkpoints");
        }

        BpeTokenizer tokenizer = tokenizer(train, out.resolve(TOKENIZER_FILE));
        ModelConfig base = ModelConfig.resolve(o.config());
        ModelConfig cfg = base.withVocabSize(tokenizer.vocabSize());
        if (o.dropout() != null) cfg = cfg.withDropout(o.dropout());
        Artifacts.requireSameVocabulary(cfg, tokenizer, out.resolve(TOKENIZER_FILE).toString());
        if (init != null) init.requireConfig(cfg);
        GlobalCmvn cmvn = cmvn(train, cfg.featureDim(), out.resolve(CMVN_FILE));

        int[][] tokens = new int[train.size()][];
        for (int i = 0; i < tokens.length; i++) tokens[i] = tokenizer.encode(train.get(i).text());
        DurationBatcher batcher = new DurationBatcher(Utterance.durations(train), o.batchSeconds(), o.bucketSize());
        FeaturePipeline trainFeatures = new FeaturePipeline(cfg.featureDim(), cmvn,
                o.augment() ? new SpecAugment() : null, o.augment(),
                o.vtlp() > 0 ? new VocalTractPerturbation(cfg.featureDim(), o.vtlp()) : null,
                o.edgeSilence() > 0 ? EdgeSilence.upTo(o.edgeSilence()) : null,
                o.equalizerDb() > 0 ? new RandomEqualizer(o.equalizerDb()) : null);
        FeaturePipeline evalFeatures = new FeaturePipeline(cfg.featureDim(), cmvn, null, false);
        String dataPlan = o.dataPlan(train.size());
        Map<String, String> exportMeta = ModelBundle.exportMetadata(tokenizer, cmvn);
        MetricsLog metrics = new MetricsLog(out.resolve(METRICS_FILE));
        NoamSchedule schedule = NoamSchedule.withPeak(o.peakLr(), o.warmupSteps());

        try (Backend backend = Backends.create(o.device());
             AsrModel model = new AsrModel(backend, cfg, o.seed());
             AdamOptimizer adam = AdamOptimizer.speechMamba(model.parameters());
             BatchLoader loader = new BatchLoader(train, tokens, trainFeatures, o.threads(), 2 * o.threads() + 1)) {
            if (o.attentionWindow() >= 0) model.setEncoderAttentionWindow(o.attentionWindow(), o.globalTokens());
            long step = 0;
            int epoch = 0, position = 0;
            if (o.resume() && !existing.isEmpty()) {
                Path file = existing.getLast();
                Checkpoint ckpt = ModelBundle.readCheckpoint(file);
                String storedTokenizer = ckpt.metadata().get(Checkpoint.TOKENIZER);
                if (storedTokenizer == null || !storedTokenizer.equals(exportMeta.get(Checkpoint.TOKENIZER))) {
                    throw new IllegalArgumentException(file + ": tokenizer mismatch: " + out.resolve(TOKENIZER_FILE)
                            + " is not the tokenizer this checkpoint was trained with");
                }
                if (!exportMeta.get(Artifacts.CMVN).equals(ckpt.metadata().get(Artifacts.CMVN))) {
                    throw new IllegalArgumentException(file + ": CMVN mismatch: " + out.resolve(CMVN_FILE)
                            + " holds other statistics than this checkpoint was trained with");
                }
                ModelConfig stored = ModelBundle.configOf(ckpt, file);
                if (!stored.equals(cfg)) {
                    throw new IllegalArgumentException(file + ": config/checkpoint mismatch: the checkpoint was trained as "
                            + stored + " but this run asks for " + cfg + " (same --config, --dropout and tokenizer needed)");
                }
                String storedPlan = ckpt.metadata().get(CheckpointStore.DATA_PLAN);
                if (!dataPlan.equals(storedPlan)) {
                    throw new IllegalArgumentException(file + ": the checkpoint's data settings (" + storedPlan
                            + ") differ from this run's (" + dataPlan + "); resume with the same options to continue exactly");
                }
                try {
                    model.loadWeights(ckpt);
                    adam.loadState(ckpt.tensors(), Math.toIntExact(CheckpointStore.required(ckpt, CheckpointStore.ADAM_STEP, file)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": config/checkpoint mismatch: " + e.getMessage(), e);
                }
                step = CheckpointStore.required(ckpt, Checkpoint.STEP, file);
                epoch = Math.toIntExact(CheckpointStore.required(ckpt, CheckpointStore.EPOCH, file));
                position = Math.toIntExact(CheckpointStore.required(ckpt, CheckpointStore.POSITION, file));
                metrics.truncateAfter(step, epoch);
                log(String.format(Locale.ROOT, "resumed from %s: step %d, epoch %d, batch %d", file.getFileName(), step,
                        epoch + 1, position));
            } else {
                Files.deleteIfExists(metrics.file());
                if (init != null) {
                    log(init.loadInto(model) + " (fresh optimizer and schedule)");
                }
            }
            List<Parameter> frozen = frozenParameters(model, o.freeze());
            if (!frozen.isEmpty()) {
                log(String.format(Locale.ROOT, "--freeze '%s': %d of %d tensors (%,d parameters) keep their values",
                        o.freeze(), frozen.size(), model.parameters().all().size(),
                        frozen.stream().mapToLong(p -> p.value().size()).sum()));
            }
            log(String.format(Locale.ROOT, "model %s: %,d parameters on %s; %d training utterances (%.1f h), %d validation",
                    cfg, model.parameters().count(), backend.name(), train.size(),
                    train.stream().mapToDouble(Utterance::duration).sum() / 3600, valid.size()));

            int stepsPerEpoch = (batcher.epoch(o.seed(), 0).size() + o.accumSteps() - 1) / o.accumSteps();
            long plannedTotal = (long) o.epochs() * stepsPerEpoch;
            if (o.maxSteps() > 0) plannedTotal = Math.min(plannedTotal, o.maxSteps());
            long stepsThisRun = Math.max(1, plannedTotal - step);
            ProgressBar bar = new ProgressBar(o.progress(), "train", stepsThisRun, "steps");
            long startStep = step, lastSaved = -1;
            long startNanos = System.nanoTime();
            int utterancesThisRun = 0;
            List<Double> losses = new ArrayList<>();
            List<Evaluator.Result> validations = new ArrayList<>();
            boolean stop = o.maxSteps() > 0 && step >= o.maxSteps();

            while (!stop && epoch < o.epochs()) {
                List<int[]> plan = batcher.epoch(o.seed(), epoch);
                BatchLoader.Iterator batches = loader.iterate(plan, position, o.seed(), epoch);
                while (batches.hasNext()) {
                    model.parameters().zeroGrads();
                    int group = Math.min(o.accumSteps(), plan.size() - position);
                    double lossSum = 0, ctcSum = 0, attSum = 0;
                    int rows = 0;
                    for (int micro = 0; micro < group; micro++) {
                        BatchLoader.Loaded b = batches.next();
                        AsrModel.Loss l = model.forwardBackward(b.batch(), true, Seeds.mix(o.seed(), 0xD20, step, micro),
                                1f / group);
                        int n = b.batch().batch();
                        lossSum += l.loss() * n;
                        ctcSum += l.ctc() * n;
                        attSum += l.attention() * n;
                        rows += n;
                    }
                    // A zero gradient leaves Adam's moments at zero, so a frozen parameter does not move (no weight decay).
                    for (Parameter p : frozen) backend.fill(p.grad(), 0f);
                    double gradNorm = GradientClipping.clipGlobalNorm(backend, model.parameters().grads(), o.clipNorm());
                    double lr = schedule.learningRate(step + 1);
                    boolean finite = Double.isFinite(gradNorm) && Double.isFinite(lossSum);
                    if (finite) adam.step((float) lr);
                    step++;
                    position += group;
                    utterancesThisRun += rows;
                    double loss = lossSum / rows;
                    losses.add(loss);
                    double seconds = (System.nanoTime() - startNanos) / 1e9;
                    double uttPerSecond = utterancesThisRun / Math.max(seconds, 1e-9);
                    Map<String, Object> values = new LinkedHashMap<>();
                    values.put("loss", loss);
                    values.put("ctc", ctcSum / rows);
                    values.put("attention", attSum / rows);
                    values.put("lr", lr);
                    values.put("grad_norm", gradNorm);
                    values.put("utterances", rows);
                    values.put("utt_per_s", uttPerSecond);
                    if (!finite) values.put("skipped", "non-finite gradient");
                    metrics.append("train", step, epoch + 1, values);
                    bar.update(step - startStep, String.format(Locale.ROOT, "epoch %d loss %.3f lr %.2e %.1f utt/s",
                            epoch + 1, loss, lr, uttPerSecond), false);
                    stop = o.maxSteps() > 0 && step >= o.maxSteps();
                    boolean epochDone = position >= plan.size();
                    if (!epochDone && (stop || (o.ckptEvery() > 0 && step % o.ckptEvery() == 0))) {
                        save(store, model, adam, step, epoch, position, dataPlan, exportMeta);
                        lastSaved = step;
                    }
                    if (stop) break;
                }
                if (position >= plan.size()) {
                    if (!valid.isEmpty()) {
                        Evaluator.Result r = Evaluator.run(model, tokenizer, evalFeatures, valid, o.batchSeconds(), o.threads(), true);
                        validations.add(r);
                        Map<String, Object> values = new LinkedHashMap<>();
                        values.put("loss", r.loss());
                        values.put("wer", r.wer());
                        values.put("substitutions", r.counts().substitutions());
                        values.put("deletions", r.counts().deletions());
                        values.put("insertions", r.counts().insertions());
                        values.put("reference_words", r.counts().referenceWords());
                        metrics.append("valid", step, epoch + 1, values);
                        bar.update(step - startStep, String.format(Locale.ROOT, "epoch %d valid loss %.3f WER %.2f%%",
                                epoch + 1, r.loss(), 100 * r.wer()), true);
                        if (o.progress() != null) o.progress().println();
                    }
                    epoch++;
                    position = 0;
                    save(store, model, adam, step, epoch, position, dataPlan, exportMeta);
                    lastSaved = step;
                }
            }
            bar.update(step - startStep, "done", true);
            bar.finish();
            if (lastSaved != step && step > startStep) save(store, model, adam, step, epoch, position, dataPlan, exportMeta);
            store.prune(Math.max(o.keepCheckpoints(), o.averageLast()));
            Path modelFile = out.resolve(ModelBundle.MODEL_FILE);
            List<Path> averaged = store.exportAverage(o.averageLast(), modelFile);
            log("wrote " + modelFile + " (average of " + averaged.size() + " checkpoint" + (averaged.size() == 1 ? "" : "s") + ")");
            List<com.fasterxml.jackson.databind.JsonNode> records = metrics.read();
            if (records.stream().anyMatch(n -> n.path("kind").asText().equals("train"))) {
                writeLossPlot(records, out.resolve(PLOT_FILE), this::log);
            }
            return new Result(step, epoch, losses, validations, modelFile);
        }
    }

    private void save(CheckpointStore store, AsrModel model, AdamOptimizer adam, long step, int epoch, int position,
                      String dataPlan, Map<String, String> exportMeta) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(exportMeta);
        meta.put(CheckpointStore.KIND, "training");
        meta.put(Checkpoint.STEP, Long.toString(step));
        meta.put(CheckpointStore.EPOCH, Integer.toString(epoch));
        meta.put(CheckpointStore.POSITION, Integer.toString(position));
        meta.put(CheckpointStore.SEED, Long.toString(o.seed()));
        meta.put(CheckpointStore.ADAM_STEP, Integer.toString(adam.stepCount()));
        meta.put(CheckpointStore.DATA_PLAN, dataPlan);
        Checkpoint weights = model.toCheckpoint(meta);
        Map<String, Tensor> tensors = new LinkedHashMap<>(weights.tensors());
        tensors.putAll(adam.stateToHost());
        new Checkpoint(tensors, weights.metadata()).save(store.fileFor(step));
        store.prune(Math.max(o.keepCheckpoints(), o.averageLast()));
    }

    /** The tokenizer in the output folder, or a new one trained on the training transcripts and saved there. */
    private BpeTokenizer tokenizer(List<Utterance> train, Path file) throws IOException {
        if (Files.exists(file)) {
            try {
                return BpeTokenizer.load(file);
            } catch (IOException e) {
                throw new IOException(file + ": unreadable tokenizer: " + e.getMessage().replace(file + ": ", ""), e);
            }
        }
        BpeTokenizer trained = BpeTrainer.train(train.stream().map(Utterance::text).toList(),
                new BpeTrainer.Options(o.vocabSize(), false));
        Artifacts.writeAtomically(file, trained.toJson());
        log("trained a BPE tokenizer with " + trained.vocabSize() + " tokens → " + file);
        return trained;
    }

    /** The CMVN statistics in the output folder, or new ones from the training set saved there. */
    private GlobalCmvn cmvn(List<Utterance> train, int bins, Path file) throws IOException {
        if (Files.exists(file)) return GlobalCmvn.load(file);
        GlobalCmvn stats = FeaturePipeline.computeCmvn(train, bins, o.threads());
        Artifacts.writeAtomically(file, stats.toJson());
        log(String.format(Locale.ROOT, "computed CMVN statistics over %,d frames → %s", stats.frames(), file));
        return stats;
    }

    /**
     * The loss plot is a convenience next to the model and metrics already written: a runtime without the
     * java.desktop module (a jlink'd JRE on a GPU node) or without fonts gets a logged note, not a failed run.
     * Returns whether the PNG was written.
     */
    static boolean writeLossPlot(List<com.fasterxml.jackson.databind.JsonNode> records, Path png,
                                 java.util.function.Consumer<String> log) {
        try {
            LossPlot.write(records, png);
            return true;
        } catch (LinkageError e) {
            log.accept("loss plot " + png + " not written: this Java runtime "
                    + (ModuleLayer.boot().findModule("java.desktop").isPresent() ? "cannot link Java2D" : "has no java.desktop module")
                    + " (" + e + "); the losses are in " + METRICS_FILE);
        } catch (IOException | RuntimeException | InternalError e) {
            // Java2D without fontconfig throws InternalError ("Fontconfig head is null") or a RuntimeException.
            log.accept("loss plot " + png + " not written (" + e + "); the losses are in " + METRICS_FILE);
        }
        return false;
    }

    /** The parameters {@code regex} names (none for null); a pattern that names none, or all, is a mistake. */
    static List<Parameter> frozenParameters(AsrModel model, String regex) {
        if (regex == null) return List.of();
        Pattern pattern = Pattern.compile(regex);
        List<Parameter> all = model.parameters().all();
        List<Parameter> matched = all.stream().filter(p -> pattern.matcher(p.name()).matches()).toList();
        if (matched.isEmpty()) {
            throw new IllegalArgumentException("--freeze '" + regex + "' matches no parameter name (they look like "
                    + all.getFirst().name() + "; model-info lists them)");
        }
        if (matched.size() == all.size()) throw new IllegalArgumentException("--freeze '" + regex + "' matches every parameter: nothing would train");
        return matched;
    }

    private void log(String line) {
        if (o.progress() != null) {
            o.progress().println(line);
            o.progress().flush();
        }
    }
}
