package dev.speechmamba.train;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.List;

/** Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ with the L2 norm. */
public final class GradientClipping {
    private GradientClipping() { }

    /** The L2 norm of all gradients together, sqrt(Σ g²), accumulated in double; null entries are skipped. */
    public static double globalNorm(Backend backend, List<Tensor> grads) {
        double sumOfSquares = 0;
        for (Tensor g : grads) {
            if (g != null) sumOfSquares += backend.sumOfSquares(g);
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when the global L2 norm over all of them
     * exceeds {@code maxNorm}. Null entries (parameters without a gradient) are skipped. A non-finite norm
     * leaves the gradients untouched, so the caller can see it in the return value and skip the step.
     *
     * @return the global norm before clipping
     */
    public static double clipGlobalNorm(Backend backend, List<Tensor> grads, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be positive, got " + maxNorm);
        double norm = globalNorm(backend, grads);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float coefficient = (float) (maxNorm / (norm + 1e-6));
            for (Tensor g : grads) {
                if (g != null) backend.scale(g, coefficient);
            }
        }
        return norm;
    }
}
