package dev.speechmamba.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * Shape of a {@link NeuralLm}: a causal Transformer over an ASR model's BPE pieces. Stored as JSON in the
 * weights file's metadata, like {@link ModelConfig}.
 *
 * @param vocabSize the ASR model's vocabulary, blank and {@code <sos/eos>} included
 * @param sosEos    the id that starts every sentence and ends it
 */
public record NeuralLmConfig(int vocabSize, int sosEos, int dModel, int layers, int heads, int ffnDim, float dropout) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public NeuralLmConfig {
        if (vocabSize < 2) throw new IllegalArgumentException("neural LM config: vocabulary must have >= 2 entries, got " + vocabSize);
        if (sosEos < 0 || sosEos >= vocabSize) {
            throw new IllegalArgumentException("neural LM config: <sos/eos> id " + sosEos + " outside [0, " + vocabSize + ")");
        }
        if (dModel < 1 || layers < 1 || heads < 1 || ffnDim < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "neural LM config: d_model, layers, heads and ffn_dim must be >= 1, got %d, %d, %d, %d", dModel, layers, heads, ffnDim));
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("neural LM config: d_model " + dModel + " is not a multiple of heads " + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("neural LM config: dropout must be in [0, 1), got " + dropout);
    }

    /** This config for another ASR vocabulary. */
    public NeuralLmConfig withVocabulary(int vocab, int sosEosId) {
        return new NeuralLmConfig(vocab, sosEosId, dModel, layers, heads, ffnDim, dropout);
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", "neural-lm");
        o.put("vocab_size", vocabSize);
        o.put("sos_eos", sosEos);
        o.put("d_model", dModel);
        o.put("layers", layers);
        o.put("heads", heads);
        o.put("ffn_dim", ffnDim);
        o.put("dropout", dropout);
        return o.toString();
    }

    public static NeuralLmConfig fromJson(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("neural LM config: not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject() || !"neural-lm".equals(o.path("kind").asText())) {
            throw new IllegalArgumentException("neural LM config: not a neural LM's config (\"kind\": \"neural-lm\" missing)");
        }
        return new NeuralLmConfig(intField(o, "vocab_size"), intField(o, "sos_eos"), intField(o, "d_model"), intField(o, "layers"),
                intField(o, "heads"), intField(o, "ffn_dim"), (float) o.path("dropout").asDouble(0));
    }

    private static int intField(JsonNode o, String name) {
        JsonNode n = o.get(name);
        if (n == null || !n.canConvertToInt()) throw new IllegalArgumentException("neural LM config: integer field '" + name + "' missing");
        return n.asInt();
    }
}
