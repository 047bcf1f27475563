package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.ElementwiseChecks;
import dev.speechmamba.tensor.Tensor;

/** The Adam(W) update, elementwise over the parameter, split over threads by range. */
final class FastAdam {
    private final FastParallel par;

    FastAdam(FastParallel par) { this.par = par; }

    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                  float weightDecay, int step) {
        String op = "adamStep";
        ElementwiseChecks.adamStep(op, param, grad, m, v, beta1, beta2, step);
        float[] p = FastHost.floats(op, param), g = FastHost.floats(op, grad), ms = FastHost.floats(op, m),
                vs = FastHost.floats(op, v);
        int po = FastHost.off(param), go = FastHost.off(grad), mo = FastHost.off(m), vo = FastHost.off(v);
        float correction1 = (float) (1.0 - Math.pow(beta1, step));
        float correction2 = (float) (1.0 - Math.pow(beta2, step));
        par.forRange(FastHost.size(param), 12, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[go + i];
                float mi = beta1 * ms[mo + i] + (1f - beta1) * gi;
                float vi = beta2 * vs[vo + i] + (1f - beta2) * gi * gi;
                ms[mo + i] = mi;
                vs[vo + i] = vi;
                float mHat = mi / correction1, vHat = vi / correction2;
                float pi = p[po + i];
                p[po + i] = pi - lr * (mHat / ((float) Math.sqrt(vHat) + eps) + weightDecay * pi);
            }
        });
    }
}
