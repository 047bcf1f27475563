// Adam(W) step in place.
#include "common.cuh"

// m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr·(m̂/(sqrt(v̂)+eps) + wd·p), with
// m̂ = m / biasCorrection1 and v̂ = v / biasCorrection2 (1 - β^step, computed on the host in double).
extern "C" __global__ void adam_step(float* param, const float* grad, float* m, float* v, i64 n, float lr,
                                     float beta1, float beta2, float eps, float weightDecay,
                                     float biasCorrection1, float biasCorrection2) {
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        float g = grad[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        float mHat = mi / biasCorrection1;
        float vHat = vi / biasCorrection2;
        float p = param[i];
        param[i] = p - lr * (mHat / (sqrtf(vHat) + eps) + weightDecay * p);
    }
}
