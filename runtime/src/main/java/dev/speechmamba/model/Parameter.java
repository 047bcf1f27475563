package dev.speechmamba.model;

import dev.speechmamba.tensor.Tensor;

/** A trainable tensor and its gradient (same shape, accumulated by backward passes). */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    Parameter(String name, Tensor value, Tensor grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    public String name() { return name; }

    public Tensor value() { return value; }

    public Tensor grad() { return grad; }
}
