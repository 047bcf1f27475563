package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/** y = x·Wᵀ + b over rows, PyTorch's nn.Linear layout and default initialisation. */
public final class Linear {
    private final Parameter weight; // (out, in)
    private final Parameter bias;   // (out) or null
    private final int inFeatures, outFeatures;

    public Linear(ParameterSet params, String prefix, int inFeatures, int outFeatures, boolean withBias,
                  SplittableRandom rng) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1 / Math.sqrt(inFeatures);
        this.weight = params.add(prefix + "weight", Init.uniform(rng, outFeatures * inFeatures, bound), outFeatures,
                inFeatures);
        this.bias = withBias ? params.add(prefix + "bias", Init.uniform(rng, outFeatures, bound), outFeatures) : null;
    }

    /** Sets weight and bias to zero: the layer then outputs zeros, and its weight gradient is still x-driven. */
    public void zero(Backend be) {
        be.fill(weight.value(), 0f);
        if (bias != null) be.fill(bias.value(), 0f);
    }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }

    /** out (R, out) = x (R, in) · Wᵀ + b. */
    public void forward(Backend be, Tensor out, Tensor x) {
        be.matmul(out, x, false, weight.value(), true, 1f, 0f);
        if (bias != null) be.addBias(out, out, bias.value());
    }

    /** Accumulates dx (R, in; may be null) and the weight gradients from dOut (R, out); x is the forward input. */
    public void backward(Backend be, Tensor dx, Tensor dOut, Tensor x) {
        if (bias != null) be.addBiasBackward(null, bias.grad(), dOut);
        be.matmulBackward(dx, weight.grad(), dOut, x, false, weight.value(), true);
    }
}
