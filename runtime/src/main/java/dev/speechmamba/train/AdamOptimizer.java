package dev.speechmamba.train;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.Parameter;
import dev.speechmamba.model.ParameterSet;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam over a {@link ParameterSet}: first and second moments live on the parameters' backend; the
 * learning rate comes from the caller each step (e.g. from {@link NoamSchedule}). The moments and the
 * step count are exported for checkpoints so that training resumes exactly.
 */
public final class AdamOptimizer implements AutoCloseable {
    private final ParameterSet params;
    private final float beta1, beta2, eps, weightDecay;
    private final Map<String, Tensor> m = new LinkedHashMap<>();
    private final Map<String, Tensor> v = new LinkedHashMap<>();
    private int step;

    public AdamOptimizer(ParameterSet params, float beta1, float beta2, float eps, float weightDecay) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        Backend be = params.backend();
        for (Parameter p : params.all()) {
            int[] dims = p.value().shape().dims();
            m.put(p.name(), be.zeros(DType.F32, dims));
            v.put(p.name(), be.zeros(DType.F32, dims));
        }
    }

    /** Speech-Mamba's setting: β = (0.9, 0.98), ε = 1e-9, no weight decay. */
    public static AdamOptimizer speechMamba(ParameterSet params) {
        return new AdamOptimizer(params, 0.9f, 0.98f, 1e-9f, 0f);
    }

    /** Applies one update with the gradients currently in the parameters. */
    public void step(float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        step++;
        Backend be = params.backend();
        for (Parameter p : params.all()) {
            be.adamStep(p.value(), p.grad(), m.get(p.name()), v.get(p.name()), lr, beta1, beta2, eps, weightDecay, step);
        }
    }

    public int stepCount() { return step; }

    /** Host copies of the moments ("m." / "v." + parameter name) for a checkpoint. */
    public Map<String, Tensor> stateToHost() {
        Backend be = params.backend();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) out.put("m." + e.getKey(), host(be, e.getValue()));
        for (var e : v.entrySet()) out.put("v." + e.getKey(), host(be, e.getValue()));
        return out;
    }

    /** Restores moments and step count saved by {@link #stateToHost()}; all or nothing. */
    public void loadState(Map<String, Tensor> state, int stepCount) {
        for (String key : List.copyOf(m.keySet())) {
            requireMatch(state, "m." + key, m.get(key));
            requireMatch(state, "v." + key, v.get(key));
        }
        Backend be = params.backend();
        for (String key : m.keySet()) {
            load(be, m.get(key), state.get("m." + key));
            load(be, v.get(key), state.get("v." + key));
        }
        this.step = stepCount;
    }

    private static void requireMatch(Map<String, Tensor> state, String name, Tensor like) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("optimizer state lacks '" + name + "'");
        if (!t.shape().equals(like.shape())) {
            throw new IllegalArgumentException("optimizer state '" + name + "' has shape " + t.shape()
                    + ", expected " + like.shape());
        }
    }

    private static void load(Backend be, Tensor dst, Tensor src) {
        try (Tensor t = be.fromHost(src.hostFloats(), src.shape().dims())) {
            be.copy(dst, t);
        }
    }

    private static Tensor host(Backend be, Tensor t) {
        return Tensor.ofFloats(be.toHost(t), t.shape().dims());
    }

    @Override public void close() {
        m.values().forEach(Tensor::close);
        v.values().forEach(Tensor::close);
    }
}
