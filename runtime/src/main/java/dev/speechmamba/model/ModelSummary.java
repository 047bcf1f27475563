package dev.speechmamba.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layer table of a model: every weight tensor with its shape and size, in registration order.
 * Layers of a stack that repeat layer 0's tensors exactly can be folded into one line.
 */
public record ModelSummary(ModelConfig config, List<Row> rows, long total) {

    /** One weight tensor. */
    public record Row(String name, int[] shape, long parameters) {
        public String shapeText() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : "×").append(shape[i]);
            return sb.toString();
        }
    }

    private static final Pattern LAYER = Pattern.compile("^((?:encoder|decoder)\\.layers)\\.(\\d+)\\.(.+)$");

    public static ModelSummary of(AsrModel model) {
        List<Row> rows = new ArrayList<>();
        long total = 0;
        for (Parameter p : model.parameters().all()) {
            rows.add(new Row(p.name(), p.value().shape().dims(), p.value().size()));
            total += p.value().size();
        }
        return new ModelSummary(model.config(), List.copyOf(rows), total);
    }

    /** Parameters of the tensors whose name starts with {@code prefix}. */
    public long parametersUnder(String prefix) {
        long n = 0;
        for (Row r : rows) if (r.name().startsWith(prefix)) n += r.parameters();
        return n;
    }

    /** The table as text; with {@code allLayers} false, layers 1.. of a stack that repeat layer 0 become one line. */
    public String format(boolean allLayers) {
        ModelConfig c = config;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model '%s': %s, d=%d, %d heads, %d encoder + %d decoder layers, V=%d%s%n",
                c.name(), c.architecture().json(), c.dModel(), c.heads(), c.encoderLayers(), c.decoderLayers(),
                c.vocabSize(), c.mamba() == null ? ", ffn " + c.ffnDim()
                        : String.format(Locale.ROOT, ", d_inner=%d, N=%d, dt_rank=%d", c.mamba().dInner(),
                                c.mamba().dState(), c.mamba().dtRank())));
        String line = "%-52s %-16s %14s%n";
        out.append(String.format(Locale.ROOT, line, "NAME", "SHAPE", "PARAMETERS"));
        // Per stack ("encoder.layers"): layer index → its rows (name without the layer prefix).
        Map<String, Map<Integer, List<Row>>> stacks = new LinkedHashMap<>();
        for (Row r : rows) {
            Matcher m = LAYER.matcher(r.name());
            if (m.matches()) {
                stacks.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
                        .computeIfAbsent(Integer.parseInt(m.group(2)), k -> new ArrayList<>())
                        .add(new Row(m.group(3), r.shape(), r.parameters()));
            }
        }
        java.util.Set<String> folded = new java.util.HashSet<>();
        for (Row r : rows) {
            Matcher m = LAYER.matcher(r.name());
            if (!allLayers && m.matches()) {
                String stack = m.group(1);
                int layer = Integer.parseInt(m.group(2));
                Map<Integer, List<Row>> layers = stacks.get(stack);
                if (layer > 0 && sameAsFirst(layers)) {
                    if (folded.add(stack)) {
                        int last = layers.size() - 1;
                        long sum = 0;
                        for (int l = 1; l <= last; l++) for (Row x : layers.get(l)) sum += x.parameters();
                        out.append(String.format(Locale.ROOT, line,
                                stack + "." + (last == 1 ? "1" : "1.." + last),
                                (last) + " × layer 0", group(sum)));
                    }
                    continue;
                }
            }
            out.append(String.format(Locale.ROOT, line, r.name(), r.shapeText(), group(r.parameters())));
        }
        out.append(String.format(Locale.ROOT, line, "total", "", group(total)));
        out.append(String.format(Locale.ROOT, "%,d parameters = %.1f M%n", total, total / 1e6));
        return out.toString();
    }

    private static boolean sameAsFirst(Map<Integer, List<Row>> layers) {
        List<Row> first = layers.get(0);
        for (List<Row> other : layers.values()) {
            if (other.size() != first.size()) return false;
            for (int i = 0; i < first.size(); i++) {
                if (!other.get(i).name().equals(first.get(i).name())
                        || !java.util.Arrays.equals(other.get(i).shape(), first.get(i).shape())) return false;
            }
        }
        return true;
    }

    private static String group(long n) { return String.format(Locale.ROOT, "%,d", n); }
}
