package dev.speechmamba.trainer;

import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training checkpoints of an output folder, {@code DIR/checkpoints/step-00001234.safetensors}, and the
 * averaging of the last k of them into an exported model. Each file is written atomically by
 * {@link Checkpoint#save} and holds weights, Adam moments ("m."/"v." tensors) and, in its metadata, the
 * training state (step, epoch, data position, RNG seed, Adam step), model config, tokenizer and CMVN stats.
 */
public final class CheckpointStore {
    public static final String FOLDER = "checkpoints";
    /** Metadata keys of the training state. */
    public static final String EPOCH = "epoch", POSITION = "batch_in_epoch", SEED = "seed", ADAM_STEP = "adam_step",
            DATA_PLAN = "data_plan", KIND = "kind";
    private static final Pattern NAME = Pattern.compile("step-(\\d+)\\.safetensors");

    private final Path folder;

    public CheckpointStore(Path outDir) { this.folder = outDir.resolve(FOLDER); }

    public Path folder() { return folder; }

    public Path fileFor(long step) {
        return folder.resolve(String.format(Locale.ROOT, "step-%08d.safetensors", step));
    }

    /** Checkpoint files ordered by step, oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf)).toList();
        }
    }

    static long stepOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(file + ": not a checkpoint file name (step-N.safetensors)");
        return Long.parseLong(m.group(1));
    }

    /** Deletes all but the newest {@code keep} checkpoints. */
    public void prune(int keep) throws IOException {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) Files.deleteIfExists(all.get(i));
    }

    /** An integer metadata value of a training checkpoint; absence is an error naming the file. */
    public static long required(Checkpoint ckpt, String key, Path file) {
        String v = ckpt.metadata().get(key);
        if (v == null) throw new IllegalArgumentException(file + ": not a training checkpoint: metadata '" + key + "' is missing");
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata '" + key + "' is not an integer: '" + v + "'", e);
        }
    }

    /**
     * The element-wise mean of the weights of {@code files} (optimizer moments left out), in double precision.
     * All files must hold the same config, tokenizer and CMVN (the mean of two models that read different features
     * or pieces would read neither) and the same weight names and shapes.
     *
     * @return the averaged weights and the metadata of the newest file (config, tokenizer, CMVN)
     */
    public static Checkpoint average(List<Path> files) {
        if (files.isEmpty()) throw new IllegalArgumentException("averaging: no checkpoints given");
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ModelConfig firstConfig = null;
        Path first = files.get(0);
        Checkpoint last = null;
        for (Path file : files) {
            Checkpoint c = ModelBundle.readCheckpoint(file);
            ModelConfig cfg = ModelBundle.configOf(c, file);
            if (firstConfig == null) firstConfig = cfg;
            else if (!cfg.equals(firstConfig)) {
                throw new IllegalArgumentException(file + ": config/checkpoint mismatch: its config " + cfg
                        + " differs from " + first + "'s " + firstConfig + "; only checkpoints of one model can be averaged");
            }
            if (last != null) {
                for (String key : List.of(Checkpoint.TOKENIZER, Artifacts.CMVN)) {
                    if (!java.util.Objects.equals(last.metadata().get(key), c.metadata().get(key))) {
                        throw new IllegalArgumentException(file + ": its " + key + " differs from " + first + "'s; only models "
                                + "with one tokenizer and one CMVN can be averaged");
                    }
                }
            }
            Map<String, Tensor> weights = c.modelWeights();
            if (sums.isEmpty()) {
                weights.forEach((name, t) -> {
                    sums.put(name, new double[Math.toIntExact(t.size())]);
                    shapes.put(name, t.shape().dims());
                });
            } else if (!weights.keySet().equals(sums.keySet())) {
                throw new IllegalArgumentException(file + ": holds weights " + weights.keySet() + " but " + first + " holds "
                        + sums.keySet());
            }
            for (var e : weights.entrySet()) {
                if (!java.util.Arrays.equals(e.getValue().shape().dims(), shapes.get(e.getKey()))) {
                    throw new IllegalArgumentException(file + ": weight '" + e.getKey() + "' has shape " + e.getValue().shape()
                            + ", other checkpoints " + java.util.Arrays.toString(shapes.get(e.getKey())));
                }
                float[] v = e.getValue().hostFloats();
                double[] s = sums.get(e.getKey());
                for (int i = 0; i < v.length; i++) s[i] += v[i];
            }
            last = c;
        }
        Map<String, Tensor> mean = new LinkedHashMap<>();
        int n = files.size();
        sums.forEach((name, s) -> {
            float[] v = new float[s.length];
            for (int i = 0; i < v.length; i++) v[i] = (float) (s[i] / n);
            mean.put(name, Tensor.ofFloats(v, shapes.get(name)));
        });
        return new Checkpoint(mean, last.metadata());
    }

    /**
     * Writes the exported model: the mean of the newest {@code k} checkpoints' weights with config, tokenizer and
     * CMVN metadata and no optimizer state or training state.
     *
     * @return the checkpoints that were averaged
     */
    public List<Path> exportAverage(int k, Path target) throws IOException {
        return exportAverage(k, target, false);
    }

    /** As {@link #exportAverage(int, Path)}, optionally storing the weights as BF16 (see {@link Checkpoint#save(Path, boolean)}). */
    public List<Path> exportAverage(int k, Path target, boolean bf16) throws IOException {
        if (k < 1) throw new IllegalArgumentException("averaging: k must be >= 1, got " + k);
        List<Path> all = list();
        if (all.isEmpty()) throw new IllegalArgumentException(folder + ": no checkpoints to average");
        List<Path> chosen = new ArrayList<>(all.subList(Math.max(0, all.size() - k), all.size()));
        exportMean(chosen, chosen.stream().map(p -> p.getFileName().toString()).toList(), target, bf16);
        return chosen;
    }

    /**
     * Writes the weight-for-weight mean of model files or checkpoints of one config, tokenizer and CMVN (a "model
     * soup", e.g. a fine-tuned model and the model it started from) as an exported model.
     */
    public static void exportModelAverage(List<Path> models, Path target, boolean bf16) throws IOException {
        if (models.size() < 2) throw new IllegalArgumentException("averaging models: give two or more model files, got " + models.size());
        exportMean(models, models.stream().map(Path::toString).toList(), target, bf16);
    }

    private static void exportMean(List<Path> chosen, List<String> names, Path target, boolean bf16) throws IOException {
        Checkpoint avg = average(chosen);
        Map<String, String> meta = new LinkedHashMap<>();
        for (String key : List.of(Checkpoint.CONFIG, Checkpoint.TOKENIZER, Artifacts.CMVN, Checkpoint.STEP)) {
            String v = avg.metadata().get(key);
            if (v != null) meta.put(key, v);
        }
        meta.put(KIND, "model");
        meta.put("averaged_from", String.join(",", names));
        if (bf16) meta.put("weights_dtype", "BF16");
        new Checkpoint(avg.tensors(), meta).save(target, bf16);
    }
}
