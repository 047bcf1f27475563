package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

/** RMSNorm (weight only) or LayerNorm (weight and bias) over the last dimension of (..., d). */
public final class Norm {
    static final float EPS = 1e-5f;

    public enum Kind { RMS, LAYER }

    private final Kind kind;
    private final Parameter weight; // (d)
    private final Parameter bias;   // (d), LayerNorm only

    public Norm(ParameterSet params, String prefix, Kind kind, int d) {
        this.kind = kind;
        this.weight = params.add(prefix + "weight", Init.constant(d, 1f), d);
        this.bias = kind == Kind.LAYER ? params.add(prefix + "bias", Init.constant(d, 0f), d) : null;
    }

    /** What backward needs: the input and the per-row statistics (mean is null for RMSNorm). */
    public record Activations(Tensor x, Tensor mean, Tensor rstd, Tensor out) { }

    public Activations forward(TensorArena arena, Tensor x) {
        Backend be = arena.backend();
        int d = x.dim(x.rank() - 1), rows = Math.toIntExact(x.size() / d);
        Tensor out = arena.zeros(x.shape().dims());                  // like x
        Tensor rstd = arena.zeros(rows);                              // (R)
        if (kind == Kind.RMS) {
            be.rmsNorm(out.reshape(rows, d), rstd, x.reshape(rows, d), weight.value(), EPS);
            return new Activations(x, null, rstd, out);
        }
        Tensor mean = arena.zeros(rows);                              // (R)
        be.layerNorm(out.reshape(rows, d), mean, rstd, x.reshape(rows, d), weight.value(), bias.value(), EPS);
        return new Activations(x, mean, rstd, out);
    }

    /** Accumulates dx (like x) and the weight gradients. */
    public void backward(TensorArena arena, Tensor dx, Tensor dOut, Activations act) {
        Backend be = arena.backend();
        Tensor x = act.x();
        int d = x.dim(x.rank() - 1), rows = Math.toIntExact(x.size() / d);
        if (kind == Kind.RMS) {
            be.rmsNormBackward(dx.reshape(rows, d), weight.grad(), dOut.reshape(rows, d), x.reshape(rows, d),
                    weight.value(), act.rstd());
        } else {
            be.layerNormBackward(dx.reshape(rows, d), weight.grad(), bias.grad(), dOut.reshape(rows, d),
                    x.reshape(rows, d), weight.value(), act.mean(), act.rstd());
        }
    }
}
