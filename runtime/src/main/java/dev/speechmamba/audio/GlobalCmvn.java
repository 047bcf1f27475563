package dev.speechmamba.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Global cepstral mean and variance normalization: per feature dimension, {@code (x - mean) / std} with the
 * statistics of a whole training set. {@link Accumulator} gathers them in one streaming pass in double
 * precision (Chan et al.'s pairwise update, so partial accumulators from parallel workers merge exactly and
 * large sets do not lose precision to {@code sum(x^2) - n mean^2}). Saved as JSON:
 * <pre>{"format": "speech-mamba-global-cmvn", "version": 1, "frames": N, "dims": D, "mean": [...], "std": [...]}</pre>
 * A dimension whose standard deviation is below {@link #STD_FLOOR} is divided by the floor instead.
 */
public final class GlobalCmvn {

    public static final String FORMAT = "speech-mamba-global-cmvn";
    public static final double STD_FLOOR = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long frames;
    private final double[] mean;
    private final double[] std;

    public GlobalCmvn(long frames, double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("GlobalCmvn: mean and std need the same non-zero length, got "
                    + mean.length + " and " + std.length);
        }
        for (int d = 0; d < mean.length; d++) {
            if (!Double.isFinite(mean[d]) || !Double.isFinite(std[d]) || std[d] < 0) {
                throw new IllegalArgumentException("GlobalCmvn: bad statistics at dimension " + d + ": mean " + mean[d] + ", std " + std[d]);
            }
        }
        this.frames = frames;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int dims() { return mean.length; }

    /** Frames the statistics were gathered from. */
    public long frames() { return frames; }

    public double mean(int dim) { return mean[dim]; }

    public double std(int dim) { return std[dim]; }

    /** Normalizes every frame of {@code features} in place. */
    public void applyInPlace(Features features) {
        if (features.dims() != mean.length) {
            throw new IllegalArgumentException("GlobalCmvn: features have " + features.dims() + " dims, statistics " + mean.length);
        }
        float[] data = features.data();
        double[] scale = new double[mean.length];
        for (int d = 0; d < scale.length; d++) scale[d] = 1.0 / Math.max(std[d], STD_FLOOR);
        for (int t = 0; t < features.frames(); t++) {
            int row = t * mean.length;
            for (int d = 0; d < mean.length; d++) data[row + d] = (float) ((data[row + d] - mean[d]) * scale[d]);
        }
    }

    /** A normalized copy. */
    public Features apply(Features features) {
        Features copy = features.copy();
        applyInPlace(copy);
        return copy;
    }

    public void save(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, toJson(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The JSON that {@link #save} writes, as text (e.g. for checkpoint metadata). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("frames", frames);
        root.put("dims", mean.length);
        ArrayNode meanNode = root.putArray("mean");
        for (double v : mean) meanNode.add(v);
        ArrayNode stdNode = root.putArray("std");
        for (double v : std) stdNode.add(v);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("CMVN JSON could not be written", e);
        }
    }

    public static GlobalCmvn load(Path file) throws IOException {
        return fromJson(Files.readString(file, java.nio.charset.StandardCharsets.UTF_8), file.toString());
    }

    /** Parses the JSON of {@link #toJson}; {@code file} names where the text came from in error messages. */
    public static GlobalCmvn fromJson(String text, String file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not valid JSON CMVN statistics: " + e.getOriginalMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(file + ": not a CMVN statistics file (\"format\" is not \"" + FORMAT + "\")");
        }
        double[] mean = doubles(file, root, "mean");
        double[] std = doubles(file, root, "std");
        if (mean.length != root.path("dims").asInt(-1) || std.length != mean.length) {
            throw new IOException(file + ": CMVN statistics have dims " + root.path("dims") + " but " + mean.length
                    + " means and " + std.length + " stds");
        }
        try {
            return new GlobalCmvn(root.path("frames").asLong(), mean, std);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static double[] doubles(String file, JsonNode root, String key) throws IOException {
        JsonNode node = root.get(key);
        if (node == null || !node.isArray()) throw new IOException(file + ": CMVN statistics lack the \"" + key + "\" array");
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isNumber()) throw new IOException(file + ": \"" + key + "\"[" + i + "] is not a number");
            out[i] = node.get(i).asDouble();
        }
        return out;
    }

    /** Streaming statistics over many feature matrices; not thread-safe (one per worker, then {@link #merge}). */
    public static final class Accumulator {
        private final int dims;
        private long count;
        private final double[] mean;
        /** Sum of squared deviations from the running mean. */
        private final double[] m2;

        public Accumulator(int dims) {
            if (dims <= 0) throw new IllegalArgumentException("GlobalCmvn.Accumulator: dims must be positive, got " + dims);
            this.dims = dims;
            mean = new double[dims];
            m2 = new double[dims];
        }

        public long frames() { return count; }

        /** Adds every frame of {@code features}. */
        public void add(Features features) {
            if (features.dims() != dims) {
                throw new IllegalArgumentException("GlobalCmvn.Accumulator: features have " + features.dims() + " dims, expected " + dims);
            }
            if (features.frames() == 0) return;
            // Statistics of this utterance first (two-pass, exact), then one pairwise merge.
            int n = features.frames();
            float[] data = features.data();
            double[] localMean = new double[dims];
            double[] localM2 = new double[dims];
            for (int t = 0; t < n; t++) for (int d = 0; d < dims; d++) localMean[d] += data[t * dims + d];
            for (int d = 0; d < dims; d++) localMean[d] /= n;
            for (int t = 0; t < n; t++) {
                for (int d = 0; d < dims; d++) {
                    double dev = data[t * dims + d] - localMean[d];
                    localM2[d] += dev * dev;
                }
            }
            combine(n, localMean, localM2);
        }

        /** Adds another accumulator's frames (for parallel accumulation). */
        public void merge(Accumulator other) {
            if (other.dims != dims) throw new IllegalArgumentException("GlobalCmvn.Accumulator: cannot merge " + other.dims + " dims into " + dims);
            if (other.count > 0) combine(other.count, other.mean, other.m2);
        }

        private void combine(long n, double[] otherMean, double[] otherM2) {
            long total = count + n;
            for (int d = 0; d < dims; d++) {
                double delta = otherMean[d] - mean[d];
                mean[d] += delta * n / total;
                m2[d] += otherM2[d] + delta * delta * ((double) count * n / total);
            }
            count = total;
        }

        /** The statistics (population variance); at least one frame is needed. */
        public GlobalCmvn finish() {
            if (count == 0) throw new IllegalStateException("GlobalCmvn.Accumulator: no frames were added");
            double[] std = new double[dims];
            for (int d = 0; d < dims; d++) std[d] = Math.sqrt(m2[d] / count);
            return new GlobalCmvn(count, mean, std);
        }
    }
}
