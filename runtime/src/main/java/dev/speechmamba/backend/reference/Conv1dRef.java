package dev.speechmamba.backend.reference;

/**
 * Causal depthwise 1-D convolution over time (Mamba's conv1d), in float64:
 * out[b,t,c] = bias[c] + Σ_k w[c,k] · x[b, t-K+1+k, c], x = 0 before t = 0.
 * x, out: (B, T, C); w: (C, K); bias: (C) or null.
 */
final class Conv1dRef {
    private Conv1dRef() { }

    static void forward(double[] out, double[] x, double[] w, double[] bias, int batch, int time, int channels,
                        int kernel) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                for (int c = 0; c < channels; c++) {
                    double sum = bias == null ? 0.0 : bias[c];
                    for (int k = 0; k < kernel; k++) {
                        int source = t - kernel + 1 + k;
                        if (source < 0) continue;
                        sum += w[c * kernel + k] * x[(b * time + source) * channels + c];
                    }
                    out[(b * time + t) * channels + c] = sum;
                }
            }
        }
    }

    /** dx, dw, dBias accumulate; each may be null. dOut: (B, T, C). */
    static void backward(double[] dx, double[] dw, double[] dBias, double[] dOut, double[] x, double[] w,
                         int batch, int time, int channels, int kernel) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < time; t++) {
                for (int c = 0; c < channels; c++) {
                    double g = dOut[(b * time + t) * channels + c];
                    if (dBias != null) dBias[c] += g;
                    for (int k = 0; k < kernel; k++) {
                        int source = t - kernel + 1 + k;
                        if (source < 0) continue;
                        int xIndex = (b * time + source) * channels + c;
                        if (dx != null) dx[xIndex] += g * w[c * kernel + k];
                        if (dw != null) dw[c * kernel + k] += g * x[xIndex];
                    }
                }
            }
        }
    }
}
