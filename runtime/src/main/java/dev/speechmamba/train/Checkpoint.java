package dev.speechmamba.train;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A training or inference checkpoint: named host tensors (weights, optimizer moments) plus string
 * metadata (model config JSON, tokenizer, step), stored as one safetensors file so that Python tools
 * can open it too. Tensors move between a backend and the checkpoint with {@link #fromBackend} and
 * {@link #copyInto}; the file side is {@link Safetensors} (atomic writes, validated reads).
 *
 * @param tensors  host F32/I32 tensors by name
 * @param metadata string metadata; well-known keys are the constants of this class
 */
public record Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) {

    /** Metadata key identifying files written by this project. */
    public static final String FORMAT = "format";
    /** Value of {@link #FORMAT}; the number changes when the tensor naming changes incompatibly. */
    public static final String FORMAT_VERSION = "speech-mamba/1";
    /** Model configuration as JSON. */
    public static final String CONFIG = "config";
    /** Tokenizer (serialized by the text package). */
    public static final String TOKENIZER = "tokenizer";
    /** Optimizer step count, decimal. */
    public static final String STEP = "step";

    public Checkpoint {
        Map<String, Tensor> t = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> {
            if (tensor == null) throw new IllegalArgumentException("checkpoint: tensor '" + name + "' is null");
            if (!(tensor.storage() instanceof HostStorage)) {
                throw new IllegalArgumentException("checkpoint: tensor '" + name + "' is not on the host; "
                        + "use Checkpoint.fromBackend");
            }
            t.put(name, tensor);
        });
        tensors = Collections.unmodifiableMap(t);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Copies {@code tensors} to the host: tensors of {@code backend} (device tensors included) through
     * {@link Backend#toHost}, tensors already on the host directly, so a map mixing both works on every backend.
     */
    public static Checkpoint fromBackend(Backend backend, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> host = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            int[] dims = t.shape().dims();
            if (t.storage() instanceof HostStorage) {
                host.put(name, t.dtype() == DType.I32 ? Tensor.ofInts(hostInts(t), dims) : Tensor.ofFloats(hostFloats(t), dims));
                return;
            }
            host.put(name, switch (t.dtype()) {
                case F32 -> Tensor.ofFloats(backend.toHost(t), dims);
                case I32 -> Tensor.ofInts(backend.toHostInts(t), dims);
                case BF16 -> throw new IllegalArgumentException("checkpoint: tensor '" + name
                        + "' is BF16; keep F32 master weights for checkpoints");
            });
        });
        return new Checkpoint(host, metadata);
    }

    /** Writes the checkpoint atomically (the old file survives a failed write), tagging it with {@link #FORMAT}. */
    public void save(Path file) throws IOException {
        save(file, false);
    }

    /**
     * As {@link #save(Path)}; with {@code floatsAsBf16} every F32 tensor is stored as BF16 (half the bytes,
     * widened back to F32 on load) — for shipping a trained model, never for training checkpoints.
     */
    public void save(Path file, boolean floatsAsBf16) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put(FORMAT, FORMAT_VERSION);
        java.util.Set<String> narrow = new java.util.LinkedHashSet<>();
        if (floatsAsBf16) tensors.forEach((name, t) -> { if (t.dtype() == DType.F32) narrow.add(name); });
        Safetensors.write(file, tensors, meta, narrow);
    }

    /** Reads and validates a checkpoint; files from other tools load too, but a foreign format tag is refused. */
    public static Checkpoint load(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        String format = contents.metadata().get(FORMAT);
        if (format != null && !format.equals(FORMAT_VERSION)) {
            throw new SafetensorsException(file, "checkpoint format '" + format + "' is not " + FORMAT_VERSION);
        }
        return new Checkpoint(contents.tensors(), contents.metadata());
    }

    /** The tensor called {@code name}; an exception lists what exists when it is missing. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'; it has " + tensors.keySet());
        }
        return t;
    }

    /** The optimizer step stored under {@link #STEP}, if any. */
    public OptionalLong step() {
        String s = metadata.get(STEP);
        if (s == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(s.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint metadata '" + STEP + "' is not an integer: '" + s + "'", e);
        }
    }

    /** The model's weights: every tensor but the Adam moments ("m." / "v." + parameter name) a training checkpoint also holds. */
    public Map<String, Tensor> modelWeights() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (!name.startsWith("m.") && !name.startsWith("v.")) out.put(name, t);
        });
        return out;
    }

    /** The model configuration JSON stored under {@link #CONFIG}, if any. */
    public Optional<String> config() { return Optional.ofNullable(metadata.get(CONFIG)); }

    /**
     * Copies every tensor of {@code targets} (tensors of {@code backend}) from the checkpoint tensor of the
     * same name. Every target must be present with the same shape and dtype; all mismatches are reported
     * together before anything is copied. Checkpoint tensors without a target are ignored.
     */
    public void copyInto(Backend backend, Map<String, Tensor> targets) {
        List<String> problems = new ArrayList<>();
        targets.forEach((name, target) -> {
            Tensor source = tensors.get(name);
            if (source == null) {
                problems.add("'" + name + "' is missing");
            } else if (!source.shape().equals(target.shape()) || source.dtype() != target.dtype()) {
                problems.add("'" + name + "' is " + source.dtype() + " " + source.shape() + " in the checkpoint but "
                        + target.dtype() + " " + target.shape() + " in the model");
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint does not match the model: " + String.join("; ", problems));
        }
        targets.forEach((name, target) -> {
            Tensor source = tensors.get(name);
            int[] dims = source.shape().dims();
            try (Tensor staged = source.dtype() == DType.I32
                    ? backend.fromHostInts(hostInts(source), dims)
                    : backend.fromHost(hostFloats(source), dims)) {
                backend.copy(target, staged);
            }
        });
    }

    private static float[] hostFloats(Tensor t) {
        float[] all = ((HostStorage) t.storage()).floats();
        int from = Math.toIntExact(t.offset());
        return java.util.Arrays.copyOfRange(all, from, from + Math.toIntExact(t.size()));
    }

    private static int[] hostInts(Tensor t) {
        int[] all = ((HostStorage) t.storage()).ints();
        int from = Math.toIntExact(t.offset());
        return java.util.Arrays.copyOfRange(all, from, from + Math.toIntExact(t.size()));
    }
}
