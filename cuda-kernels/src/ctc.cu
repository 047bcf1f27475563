// CTC loss (blank = 0), forward and backward, in log space, F32.
// logits, lp, dLogits (B, T, V); inputLengths, targetLengths (B) i32; targets (B, S) i32;
// alpha, beta (B, T, Sx) F64 with Sx = 2S + 1; nll (B) F64; losses, dLosses (B).
// alpha, beta and nll are kept in double: with V in the thousands and T in the hundreds the log
// likelihood reaches the thousands, where a float's spacing (~2.4e-4 at 3400) would put percent-level
// errors into exp(alpha + beta - lp + nll). lp itself (values near -log V) is exact enough in float.
// Steps: ctc_log_softmax (one block per (t, b) row) -> ctc_alpha (one block per row b, the extended label
// positions s across threads, one barrier per time step; writes nll and losses) -> for the backward also
// ctc_beta and ctc_grad (one block per (t, b): dLogits += dLoss * (softmax - occupancy)).
// Recursions as in CtcLossRef: beta includes the emission at t, as PyTorch's does.
#include "common.cuh"

namespace {

SM_DEVICE double pos_inf_d() { return __longlong_as_double(0x7ff0000000000000ll); }
SM_DEVICE double neg_inf_d() { return __longlong_as_double((long long)0xfff0000000000000ull); }

// log(exp(x) + exp(y)); -inf is the identity.
SM_DEVICE double log_add(double x, double y) {
    if (x == neg_inf_d()) return y;
    if (y == neg_inf_d()) return x;
    const double hi = fmax(x, y);
    return hi + log1p(exp(-fabs(x - y)));
}

// Extended label l'_s: blank at even s, target label (s - 1) / 2 at odd s.
SM_DEVICE int ext_label(const int* rowTargets, int s) { return (s & 1) ? rowTargets[s >> 1] : 0; }

// The alpha recursion may skip from s - 2 to s (and beta from s + 2 to s) only onto a label that
// differs from the one it skips from.
SM_DEVICE bool can_skip(const int* rowTargets, int s, int other) {
    const int l = ext_label(rowTargets, s);
    return l != 0 && l != ext_label(rowTargets, other);
}

}  // namespace

// lp[b, t, :] = log_softmax(logits[b, t, :]) for t < inputLengths[b]. grid (T, B).
extern "C" __global__ void __launch_bounds__(256)
ctc_log_softmax(float* __restrict__ lp, const float* __restrict__ logits, const int* __restrict__ inputLengths,
                int T, int V) {
    __shared__ float scratch[32];
    const int t = blockIdx.x, b = blockIdx.y;
    if (t >= inputLengths[b]) return;          // uniform over the block
    const i64 row = ((i64)b * T + t) * V;
    float m = neg_inf();
    for (int v = threadIdx.x; v < V; v += blockDim.x) m = fmaxf(m, logits[row + v]);
    m = block_max(m, scratch);
    float sum = 0.0f;
    for (int v = threadIdx.x; v < V; v += blockDim.x) sum += expf(logits[row + v] - m);
    sum = block_sum(sum, scratch);
    const float logZ = m + logf(sum);
    for (int v = threadIdx.x; v < V; v += blockDim.x) lp[row + v] = logits[row + v] - logZ;
}

// Forward variables in log space, one block per batch row; writes nll[b] (+inf without an alignment)
// and, when losses is not null, losses[b] (0 instead of +inf under zeroInfinity).
extern "C" __global__ void __launch_bounds__(256)
ctc_alpha(double* __restrict__ alpha, double* __restrict__ nll, float* __restrict__ losses,
          const float* __restrict__ lp, const int* __restrict__ inputLengths, const int* __restrict__ targets,
          const int* __restrict__ targetLengths, int T, int V, int S, int Sx, int zeroInfinity) {
    const int b = blockIdx.x;
    const int Tn = inputLengths[b], L = targetLengths[b], sExt = 2 * L + 1;
    const int* rowTargets = targets + (i64)b * S;
    double* rowAlpha = alpha + (i64)b * T * Sx;
    const float* rowLp = lp + (i64)b * T * V;
    if (Tn == 0) {
        if (threadIdx.x == 0) {
            const double value = L == 0 ? 0.0 : pos_inf_d();
            nll[b] = value;
            if (losses) losses[b] = (zeroInfinity && value == pos_inf_d()) ? 0.0f : (float)value;
        }
        return;
    }
    for (int s = threadIdx.x; s < sExt; s += blockDim.x) {
        rowAlpha[s] = s < 2 ? (double)rowLp[ext_label(rowTargets, s)] : neg_inf_d();
    }
    for (int t = 1; t < Tn; ++t) {
        __syncthreads();                       // row t - 1 is complete (global writes of this block)
        const double* prev = rowAlpha + (i64)(t - 1) * Sx;
        double* cur = rowAlpha + (i64)t * Sx;
        for (int s = threadIdx.x; s < sExt; s += blockDim.x) {
            double sum = prev[s];
            if (s >= 1) sum = log_add(sum, prev[s - 1]);
            if (s >= 2 && can_skip(rowTargets, s, s - 2)) sum = log_add(sum, prev[s - 2]);
            cur[s] = sum == neg_inf_d() ? neg_inf_d() : sum + rowLp[(i64)t * V + ext_label(rowTargets, s)];
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        const double* last = rowAlpha + (i64)(Tn - 1) * Sx;
        double ll = last[sExt - 1];
        if (sExt > 1) ll = log_add(ll, last[sExt - 2]);
        const double value = ll == neg_inf_d() ? pos_inf_d() : -ll;
        nll[b] = value;
        if (losses) losses[b] = (zeroInfinity && value == pos_inf_d()) ? 0.0f : (float)value;
    }
}

// Backward variables in log space (including the emission at t), one block per batch row.
extern "C" __global__ void __launch_bounds__(256)
ctc_beta(double* __restrict__ beta, const float* __restrict__ lp, const int* __restrict__ inputLengths,
         const int* __restrict__ targets, const int* __restrict__ targetLengths, int T, int V, int S, int Sx) {
    const int b = blockIdx.x;
    const int Tn = inputLengths[b], L = targetLengths[b], sExt = 2 * L + 1;
    if (Tn == 0) return;
    const int* rowTargets = targets + (i64)b * S;
    double* rowBeta = beta + (i64)b * T * Sx;
    const float* rowLp = lp + (i64)b * T * V;
    double* lastRow = rowBeta + (i64)(Tn - 1) * Sx;
    for (int s = threadIdx.x; s < sExt; s += blockDim.x) {
        lastRow[s] = s >= sExt - 2 ? (double)rowLp[(i64)(Tn - 1) * V + ext_label(rowTargets, s)] : neg_inf_d();
    }
    for (int t = Tn - 2; t >= 0; --t) {
        __syncthreads();
        const double* next = rowBeta + (i64)(t + 1) * Sx;
        double* cur = rowBeta + (i64)t * Sx;
        for (int s = threadIdx.x; s < sExt; s += blockDim.x) {
            double sum = next[s];
            if (s + 1 < sExt) sum = log_add(sum, next[s + 1]);
            if (s + 2 < sExt && can_skip(rowTargets, s, s + 2)) sum = log_add(sum, next[s + 2]);
            cur[s] = sum == neg_inf_d() ? neg_inf_d() : sum + rowLp[(i64)t * V + ext_label(rowTargets, s)];
        }
    }
}

// dLogits[b, t, v] += dLosses[b] * (exp(lp[t][v]) - Σ_{s: l'_s = v} exp(alpha + beta - lp[t][v] + nll))
// for t < inputLengths[b]. grid (T, B). An infinite loss gives no gradient under zeroInfinity and NaN
// otherwise (as CtcLossRef and PyTorch).
extern "C" __global__ void __launch_bounds__(256)
ctc_grad(float* __restrict__ dLogits, const float* __restrict__ dLosses, const float* __restrict__ lp,
         const double* __restrict__ alpha, const double* __restrict__ beta, const double* __restrict__ nll,
         const int* __restrict__ inputLengths, const int* __restrict__ targets,
         const int* __restrict__ targetLengths, int T, int V, int S, int Sx, int zeroInfinity) {
    const int t = blockIdx.x, b = blockIdx.y;
    if (t >= inputLengths[b]) return;          // uniform over the block
    const double loss = nll[b];
    const i64 row = ((i64)b * T + t) * V;
    if (loss == pos_inf_d()) {
        if (zeroInfinity) return;
        const float nan = __int_as_float(0x7fc00000);
        for (int v = threadIdx.x; v < V; v += blockDim.x) dLogits[row + v] += nan;
        return;
    }
    const float g = dLosses[b];
    for (int v = threadIdx.x; v < V; v += blockDim.x) dLogits[row + v] += g * expf(lp[row + v]);
    __syncthreads();                           // the softmax term is in before the occupancy atomics
    const int sExt = 2 * targetLengths[b] + 1;
    const int* rowTargets = targets + (i64)b * S;
    const i64 cell = ((i64)b * T + t) * Sx;
    for (int s = threadIdx.x; s < sExt; s += blockDim.x) {
        const double a = alpha[cell + s], be = beta[cell + s];
        if (a == neg_inf_d() || be == neg_inf_d()) continue;
        const int label = ext_label(rowTargets, s);
        atomicAdd(&dLogits[row + label], -g * (float)exp(a + be - (double)lp[row + label] + loss));
    }
}
