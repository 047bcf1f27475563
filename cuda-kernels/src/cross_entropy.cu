// Softmax cross-entropy with PyTorch's label smoothing, forward and backward, F32.
// logits, dLogits (N, V); targets (N) i32; losses, dLosses (N). One block per row, block reductions over V.
//   loss = (1 - eps) * (logZ - x[y]) + eps * (logZ - mean_v x[v]),   logZ = log Σ_v exp(x[v])
//   dLogits[v] += dLoss * (softmax[v] - (1 - eps) [v == y] - eps / V)
// Rows whose target equals ignoreIndex get loss 0 and no gradient.
#include "common.cuh"

namespace {

// log Σ_v exp(x[v]) of one row; every thread gets it.
SM_DEVICE float row_log_sum_exp(const float* x, int V, float* scratch) {
    float m = neg_inf();
    for (int v = threadIdx.x; v < V; v += blockDim.x) m = fmaxf(m, x[v]);
    m = block_max(m, scratch);
    float sum = 0.0f;
    for (int v = threadIdx.x; v < V; v += blockDim.x) sum += expf(x[v] - m);
    return m + logf(block_sum(sum, scratch));
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256)
cross_entropy_fwd(float* __restrict__ losses, const float* __restrict__ logits, const int* __restrict__ targets,
                  int V, float smoothing, int ignoreIndex) {
    __shared__ float scratch[32];
    const int r = blockIdx.x;
    const int y = targets[r];
    if (y == ignoreIndex) {                    // uniform over the block
        if (threadIdx.x == 0) losses[r] = 0.0f;
        return;
    }
    const float* x = logits + (i64)r * V;
    const float logZ = row_log_sum_exp(x, V, scratch);
    float sumX = 0.0f;
    for (int v = threadIdx.x; v < V; v += blockDim.x) sumX += x[v];
    sumX = block_sum(sumX, scratch);
    if (threadIdx.x == 0) {
        losses[r] = (1.0f - smoothing) * (logZ - x[y]) + smoothing * (logZ - sumX / (float)V);
    }
}

extern "C" __global__ void __launch_bounds__(256)
cross_entropy_bwd(float* __restrict__ dLogits, const float* __restrict__ dLosses, const float* __restrict__ logits,
                  const int* __restrict__ targets, int V, float smoothing, int ignoreIndex) {
    __shared__ float scratch[32];
    const int r = blockIdx.x;
    const int y = targets[r];
    if (y == ignoreIndex) return;
    const float* x = logits + (i64)r * V;
    const float logZ = row_log_sum_exp(x, V, scratch);
    const float g = dLosses[r];
    const float uniform = smoothing / (float)V;
    float* dx = dLogits + (i64)r * V;
    for (int v = threadIdx.x; v < V; v += blockDim.x) {
        const float target = (v == y ? 1.0f - smoothing : 0.0f) + uniform;
        dx[v] += g * (expf(x[v] - logZ) - target);
    }
}
