package dev.speechmamba.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything that fixes a model's shape and its loss: architecture, widths, depths, vocabulary,
 * dropout, CTC weight, label smoothing and weight initialisation. Stored as readable JSON (the named
 * configs live in {@code dev/speechmamba/configs/NAME.json}) and in every checkpoint's metadata.
 *
 * @param name            a label for tables and logs
 * @param architecture    Speech-Mamba or the Transformer baseline
 * @param featureDim      filterbank bins per frame (80)
 * @param frontEndChannels channels of the three conv2d blocks (64 in the paper)
 * @param dModel          model width d
 * @param heads           attention heads (d must be divisible)
 * @param encoderLayers   encoder layers
 * @param decoderLayers   decoder layers
 * @param mamba           Mamba mixer sizes for Speech-Mamba (dModel must match), null for the Transformer
 * @param ffnDim          feed-forward width of the Transformer, 0 for Speech-Mamba
 * @param vocabSize       output vocabulary V including blank (id 0) and &lt;sos/eos&gt; (id V-1)
 * @param dropout         dropout probability everywhere dropout is applied
 * @param ctcWeight       λ of the joint loss λ·CTC + (1-λ)·CE
 * @param labelSmoothing  ε of the decoder cross-entropy
 * @param init            how weights are initialised
 */
public record ModelConfig(String name, Architecture architecture, int featureDim, int frontEndChannels, int dModel,
                          int heads, int encoderLayers, int decoderLayers, MambaConfig mamba, int ffnDim,
                          int vocabSize, float dropout, float ctcWeight, float labelSmoothing, WeightInit init) {

    /** Where the named configs live on the classpath. */
    public static final String RESOURCE_DIR = "/dev/speechmamba/configs/";

    /** The configs shipped with the runtime, in the order model-info lists them. */
    public static final List<String> NAMED = List.of("paper", "small", "small-deep", "small-deeper", "tiny", "transformer-paper",
            "transformer-small", "transformer-tiny");

    public enum Architecture {
        SPEECH_MAMBA("speech-mamba"), TRANSFORMER("transformer");

        private final String json;

        Architecture(String json) { this.json = json; }

        public String json() { return json; }

        static Architecture parse(String s) {
            for (Architecture a : values()) if (a.json.equals(s)) return a;
            throw new IllegalArgumentException("model config: architecture must be 'speech-mamba' or 'transformer', got '"
                    + s + "'");
        }
    }

    public ModelConfig {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) problems.add("name is empty");
        if (architecture == null) problems.add("architecture is missing");
        if (init == null) problems.add("init is missing");
        if (featureDim < 1) problems.add("features must be >= 1, got " + featureDim);
        if (frontEndChannels < 1) problems.add("front_end_channels must be >= 1, got " + frontEndChannels);
        if (dModel < 2 || dModel % 2 != 0) problems.add("d_model must be even and >= 2 (sinusoidal positions), got " + dModel);
        if (heads < 1 || dModel % Math.max(heads, 1) != 0) {
            problems.add("heads must divide d_model " + dModel + ", got " + heads);
        }
        if (encoderLayers < 1) problems.add("encoder_layers must be >= 1, got " + encoderLayers);
        if (decoderLayers < 1) problems.add("decoder_layers must be >= 1, got " + decoderLayers);
        if (vocabSize < 3) problems.add("vocab_size must be >= 3 (blank, one token, <sos/eos>), got " + vocabSize);
        if (!(dropout >= 0 && dropout < 1)) problems.add("dropout must be in [0, 1), got " + dropout);
        if (!(ctcWeight >= 0 && ctcWeight <= 1)) problems.add("ctc_weight must be in [0, 1], got " + ctcWeight);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            problems.add("label_smoothing must be in [0, 1), got " + labelSmoothing);
        }
        if (architecture == Architecture.SPEECH_MAMBA) {
            if (mamba == null) problems.add("a speech-mamba config needs a 'mamba' section");
            else if (mamba.dModel() != dModel) problems.add("mamba d_model " + mamba.dModel() + " != d_model " + dModel);
            if (ffnDim != 0) problems.add("ffn_dim belongs to transformer configs, got " + ffnDim);
        } else if (architecture == Architecture.TRANSFORMER) {
            if (mamba != null) problems.add("a transformer config has no 'mamba' section");
            if (ffnDim < 1) problems.add("a transformer config needs ffn_dim >= 1, got " + ffnDim);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("model config '" + name + "': " + String.join("; ", problems));
        }
    }

    /** Frequency bins left after the two stride-2 conv blocks. */
    public int subsampledFeatureDim() { return ConvFrontEnd.strided(ConvFrontEnd.strided(featureDim)); }

    /** Id of the CTC blank. */
    public int blank() { return 0; }

    /** Id of &lt;sos&gt; and &lt;eos&gt; (one shared token, the last of the vocabulary, as in ESPnet). */
    public int sosEos() { return vocabSize - 1; }

    /**
     * Fails unless a tokenizer's ids are this model's: same vocabulary size, blank 0 and &lt;sos/eos&gt; = V-1.
     *
     * @param source the file(s) the pair came from, for the message
     */
    public void requireVocabulary(int tokenizerSize, int tokenizerBlank, int tokenizerSosEos, String source) {
        if (tokenizerSize != vocabSize || tokenizerBlank != blank() || tokenizerSosEos != sosEos()) {
            throw new IllegalArgumentException(source + ": tokenizer mismatch: the tokenizer has " + tokenizerSize
                    + " pieces (blank " + tokenizerBlank + ", <sos/eos> " + tokenizerSosEos + ") but model config '" + name
                    + "' has vocab_size " + vocabSize + " (blank " + blank() + ", <sos/eos> " + sosEos() + ")");
        }
    }

    /** The same model with another vocabulary size (set from the tokenizer). */
    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(name, architecture, featureDim, frontEndChannels, dModel, heads, encoderLayers,
                decoderLayers, mamba, ffnDim, v, dropout, ctcWeight, labelSmoothing, init);
    }

    /** The same model with another dropout probability (0 for exact gradient checks). */
    public ModelConfig withDropout(float p) {
        return new ModelConfig(name, architecture, featureDim, frontEndChannels, dModel, heads, encoderLayers,
                decoderLayers, mamba, ffnDim, vocabSize, p, ctcWeight, labelSmoothing, init);
    }

    /**
     * Why a model of this config cannot grow into {@code bigger} by appending encoder or decoder layers
     * ({@link AsrModel#growFrom}), or null when it can: everything but the name, the numbers of layers and dropout
     * must be the same, and neither stack may lose layers.
     */
    public String growthMismatch(ModelConfig bigger) {
        if (bigger.encoderLayers < encoderLayers || bigger.decoderLayers < decoderLayers) {
            return "layers cannot be removed (encoder " + encoderLayers + " -> " + bigger.encoderLayers + ", decoder "
                    + decoderLayers + " -> " + bigger.decoderLayers + ")";
        }
        ModelConfig aligned = new ModelConfig(name, bigger.architecture, bigger.featureDim, bigger.frontEndChannels,
                bigger.dModel, bigger.heads, encoderLayers, decoderLayers, bigger.mamba, bigger.ffnDim, bigger.vocabSize,
                dropout, bigger.ctcWeight, bigger.labelSmoothing, bigger.init);
        return aligned.equals(this) ? null
                : "only the numbers of layers (and dropout) may differ, but one is " + this + " and the other " + bigger;
    }

    /** The same model with other loss settings. */
    public ModelConfig withLoss(float newCtcWeight, float newLabelSmoothing) {
        return new ModelConfig(name, architecture, featureDim, frontEndChannels, dModel, heads, encoderLayers,
                decoderLayers, mamba, ffnDim, vocabSize, dropout, newCtcWeight, newLabelSmoothing, init);
    }

    /** The same model with another initialisation. */
    public ModelConfig withInit(WeightInit newInit) {
        return new ModelConfig(name, architecture, featureDim, frontEndChannels, dModel, heads, encoderLayers,
                decoderLayers, mamba, ffnDim, vocabSize, dropout, ctcWeight, labelSmoothing, newInit);
    }

    // ------------------------------------------------------------------ JSON

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("name", "architecture", "features", "front_end_channels", "d_model",
            "heads", "encoder_layers", "decoder_layers", "mamba", "ffn_dim", "vocab_size", "dropout", "ctc_weight",
            "label_smoothing", "init", "description");
    private static final Set<String> MAMBA_KEYS = Set.of("d_inner", "d_state", "dt_rank", "conv_kernel");

    /** A shipped config by name ("paper", "tiny", ...). */
    public static ModelConfig named(String name) {
        if (!name.matches("[a-z0-9-]+")) throw new IllegalArgumentException("config name '" + name + "' is not a plain name");
        try (InputStream in = ModelConfig.class.getResourceAsStream(RESOURCE_DIR + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no model config named '" + name + "'; known: " + String.join(", ", NAMED));
            }
            return fromJson(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read config resource '" + name + "': " + e.getMessage(), e);
        }
    }

    /** A named config, or a JSON file when {@code nameOrPath} ends in .json or names an existing file. */
    public static ModelConfig resolve(String nameOrPath) {
        Path p = Path.of(nameOrPath);
        if (nameOrPath.endsWith(".json") || Files.isRegularFile(p)) {
            try {
                return fromJson(Files.readString(p));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read model config file " + p + ": " + e.getMessage(), e);
            }
        }
        return named(nameOrPath);
    }

    /** Parses a config; unknown or missing keys are errors that name the key. */
    public static ModelConfig fromJson(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("model config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("model config must be a JSON object");
        rejectUnknown(root, KEYS, "model config");
        Architecture arch = Architecture.parse(text(root, "architecture"));
        int d = integer(root, "d_model");
        MambaConfig mamba = null;
        if (root.has("mamba")) {
            JsonNode m = root.get("mamba");
            if (!m.isObject()) throw new IllegalArgumentException("model config: 'mamba' must be an object");
            rejectUnknown(m, MAMBA_KEYS, "model config 'mamba'");
            mamba = new MambaConfig(d, integer(m, "d_inner"), integer(m, "d_state"), integer(m, "dt_rank"),
                    integer(m, "conv_kernel"));
        }
        return new ModelConfig(text(root, "name"), arch, integer(root, "features"), integer(root, "front_end_channels"),
                d, integer(root, "heads"), integer(root, "encoder_layers"), integer(root, "decoder_layers"), mamba,
                root.has("ffn_dim") ? integer(root, "ffn_dim") : 0, integer(root, "vocab_size"),
                number(root, "dropout"), number(root, "ctc_weight"), number(root, "label_smoothing"),
                WeightInit.parse(text(root, "init")));
    }

    /** The config as JSON (the format {@link #fromJson} reads); stored in checkpoints. */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        o.put("architecture", architecture.json());
        o.put("features", featureDim);
        o.put("front_end_channels", frontEndChannels);
        o.put("d_model", dModel);
        o.put("heads", heads);
        o.put("encoder_layers", encoderLayers);
        o.put("decoder_layers", decoderLayers);
        if (mamba != null) {
            ObjectNode m = o.putObject("mamba");
            m.put("d_inner", mamba.dInner());
            m.put("d_state", mamba.dState());
            m.put("dt_rank", mamba.dtRank());
            m.put("conv_kernel", mamba.convKernel());
        }
        if (ffnDim > 0) o.put("ffn_dim", ffnDim);
        o.put("vocab_size", vocabSize);
        o.put("dropout", dropout);
        o.put("ctc_weight", ctcWeight);
        o.put("label_smoothing", labelSmoothing);
        o.put("init", init.json());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rejectUnknown(JsonNode node, Set<String> allowed, String where) {
        Set<String> unknown = new LinkedHashSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) unknown.add(k);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown key(s) " + unknown + "; allowed: " + new java.util.TreeSet<>(allowed));
        }
    }

    private static JsonNode required(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException("model config: missing '" + key + "'");
        return v;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = required(node, key);
        if (!v.isTextual()) throw new IllegalArgumentException("model config: '" + key + "' must be a string, got " + v);
        return v.asText();
    }

    private static int integer(JsonNode node, String key) {
        JsonNode v = required(node, key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("model config: '" + key + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static float number(JsonNode node, String key) {
        JsonNode v = required(node, key);
        if (!v.isNumber()) throw new IllegalArgumentException("model config: '" + key + "' must be a number, got " + v);
        return (float) v.asDouble();
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "%s (%s, d=%d, heads=%d, %d+%d layers, V=%d)", name, architecture.json(), dModel,
                heads, encoderLayers, decoderLayers, vocabSize);
    }
}
