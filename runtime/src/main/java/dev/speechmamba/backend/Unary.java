package dev.speechmamba.backend;

/** Elementwise functions with a backend kernel each (forward and derivative). */
public enum Unary {
    /** x * sigmoid(x) */
    SILU,
    /** log(1 + exp(x)), linear above 20 as in PyTorch */
    SOFTPLUS,
    /** exp(x) */
    EXP,
    /** max(x, 0); derivative 0 at x = 0 as in PyTorch */
    RELU
}
