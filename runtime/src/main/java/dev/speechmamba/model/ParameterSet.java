package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The model's weights, by hierarchical name ("blocks.0.mixer.in_proj.weight"), each with a gradient
 * buffer on the same backend. Weights are the only state a model object holds: activations live in
 * per-step {@link TensorArena}s, so one set of weights can serve many streams.
 */
public final class ParameterSet implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    public ParameterSet(Backend backend) { this.backend = backend; }

    public Backend backend() { return backend; }

    /** Registers a parameter initialised from host values. */
    public Parameter add(String name, float[] init, int... dims) {
        if (byName.containsKey(name)) throw new IllegalArgumentException("parameter '" + name + "' already exists");
        Parameter p = new Parameter(name, backend.fromHost(init, dims), backend.zeros(DType.F32, dims));
        byName.put(name, p);
        return p;
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return p;
    }

    public List<Parameter> all() { return Collections.unmodifiableList(new ArrayList<>(byName.values())); }

    public long count() {
        long n = 0;
        for (Parameter p : byName.values()) n += p.value().size();
        return n;
    }

    public void zeroGrads() {
        for (Parameter p : byName.values()) backend.fill(p.grad(), 0f);
    }

    public List<Tensor> grads() {
        List<Tensor> g = new ArrayList<>();
        for (Parameter p : byName.values()) g.add(p.grad());
        return g;
    }

    /** Host copies of all weights, by name (for checkpoints). */
    public Map<String, Tensor> toHost() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : byName.values()) {
            out.put(p.name(), Tensor.ofFloats(backend.toHost(p.value()), p.value().shape().dims()));
        }
        return out;
    }

    /**
     * Loads weights from host tensors. Every parameter must be present with the same shape, and no
     * unknown tensor may be left over: a config/checkpoint mismatch fails before anything is changed.
     */
    public void load(Map<String, Tensor> weights) { load(weights, name -> false); }

    /**
     * Like {@link #load(Map)}, but parameters that {@code mayBeMissing} accepts may be absent from {@code weights}:
     * they keep their current values.
     */
    public void load(Map<String, Tensor> weights, Predicate<String> mayBeMissing) {
        List<String> problems = new ArrayList<>();
        for (Parameter p : byName.values()) {
            Tensor t = weights.get(p.name());
            if (t == null && mayBeMissing.test(p.name())) continue;
            if (t == null) problems.add("missing '" + p.name() + "'");
            else if (!t.shape().equals(p.value().shape())) {
                problems.add("'" + p.name() + "' has shape " + t.shape() + ", model expects " + p.value().shape());
            }
        }
        for (String name : weights.keySet()) {
            if (!byName.containsKey(name)) problems.add("unexpected tensor '" + name + "'");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint does not match the model: " + String.join("; ", problems));
        }
        for (Parameter p : byName.values()) {
            Tensor src = weights.get(p.name());
            if (src == null) continue;
            try (Tensor dev = backend.fromHost(src.hostFloats(), src.shape().dims())) {
                backend.copy(p.value(), dev);
            }
        }
    }

    @Override public void close() {
        for (Parameter p : byName.values()) {
            p.value().close();
            p.grad().close();
        }
    }
}
