package dev.speechmamba.backend;

/** Elementwise functions with a backend kernel each (forward and derivative). */
public enum Unary {
    /** x * sigmoid(x) */
    SILU,
    /** log(1 + exp(x)), linear above 20 as in PyTorch */
    SOFTPLUS,
    /** exp(x) */
    EXP
}
