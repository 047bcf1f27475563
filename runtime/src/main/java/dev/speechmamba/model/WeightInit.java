package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * How a model's weights start. Every layer first registers PyTorch's default initialisation (and
 * Mamba's own for A_log, Δ bias and D); the Xavier modes then overwrite matrices, as the authors'
 * released Speech-Mamba code does with {@code xavier_normal_} on every parameter of rank &gt;= 2.
 */
public enum WeightInit {
    /** PyTorch layer defaults plus Mamba's standard A_log (S4D-real) and Δ-bias initialisation. */
    STANDARD("standard"),
    /** The released code: Xavier normal on every matrix, A_log included (A then starts near -1). */
    XAVIER("xavier"),
    /** Xavier normal on every matrix except A_log, which keeps Mamba's S4D-real initialisation. */
    XAVIER_SSM_STANDARD("xavier-ssm-standard");

    private final String json;

    WeightInit(String json) { this.json = json; }

    public String json() { return json; }

    static WeightInit parse(String s) {
        for (WeightInit w : values()) if (w.json.equals(s)) return w;
        throw new IllegalArgumentException("model config: init must be 'standard', 'xavier' or 'xavier-ssm-standard', got '"
                + s + "'");
    }

    /** Applies this mode to freshly registered parameters (a no-op for {@link #STANDARD}). */
    void apply(ParameterSet params, SplittableRandom rng) {
        if (this == STANDARD) return;
        Backend be = params.backend();
        for (Parameter p : params.all()) {
            int[] dims = p.value().shape().dims();
            if (dims.length < 2) continue;
            if (this == XAVIER_SSM_STANDARD && p.name().endsWith("A_log")) continue;
            double std = Math.sqrt(2.0 / (fanIn(p.name(), dims) + fanOut(p.name(), dims)));
            float[] w = Init.normal(rng, Math.toIntExact(p.value().size()), std);
            try (Tensor t = be.fromHost(w, dims)) {
                be.copy(p.value(), t);
            }
        }
    }

    /**
     * PyTorch's fan-in of the tensor as PyTorch shapes it: the depthwise conv1d weight stored here as
     * (Di, K) is (Di, 1, K) there; conv2d weights (Co, Ci, Kh, Kw) count the receptive field.
     */
    static long fanIn(String name, int[] dims) {
        if (name.endsWith("conv1d.weight")) return dims[1];
        long receptive = 1;
        for (int i = 2; i < dims.length; i++) receptive *= dims[i];
        return dims[1] * receptive;
    }

    static long fanOut(String name, int[] dims) {
        if (name.endsWith("conv1d.weight")) return (long) dims[0] * dims[1];
        long receptive = 1;
        for (int i = 2; i < dims.length; i++) receptive *= dims[i];
        return dims[0] * receptive;
    }
}
