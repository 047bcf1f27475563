package dev.speechmamba.backend.reference;

/** RMSNorm and LayerNorm over the last dimension of a (rows, C) matrix, in float64. */
final class NormRef {
    private NormRef() { }

    /** out = x · rstd · weight with rstd = 1 / sqrt(mean(x²) + eps). out, x: (R, C); weight: (C); rstd: (R). */
    static void rmsForward(double[] out, double[] rstd, double[] x, double[] weight, double eps, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double meanSquare = 0;
            for (int c = 0; c < cols; c++) meanSquare += x[row + c] * x[row + c];
            meanSquare /= cols;
            double s = 1.0 / Math.sqrt(meanSquare + eps);
            rstd[r] = s;
            for (int c = 0; c < cols; c++) out[row + c] = x[row + c] * s * weight[c];
        }
    }

    /**
     * With g = dOut · weight: dx += rstd · g - x · rstd³ · mean(g · x); dWeight += Σ_rows dOut · x · rstd.
     * rstd: (R) as saved by {@link #rmsForward}.
     */
    static void rmsBackward(double[] dx, double[] dWeight, double[] dOut, double[] x, double[] weight,
                            double[] rstd, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double s = rstd[r];
            if (dx != null) {
                double meanGx = 0;
                for (int c = 0; c < cols; c++) meanGx += dOut[row + c] * weight[c] * x[row + c];
                meanGx /= cols;
                for (int c = 0; c < cols; c++) {
                    dx[row + c] += s * dOut[row + c] * weight[c] - x[row + c] * s * s * s * meanGx;
                }
            }
            if (dWeight != null) {
                for (int c = 0; c < cols; c++) dWeight[c] += dOut[row + c] * x[row + c] * s;
            }
        }
    }

    /**
     * out = (x - mean) · rstd · weight + bias with the biased variance, as PyTorch.
     * out, x: (R, C); weight, bias: (C); mean, rstd: (R).
     */
    static void layerForward(double[] out, double[] mean, double[] rstd, double[] x, double[] weight,
                             double[] bias, double eps, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double mu = 0;
            for (int c = 0; c < cols; c++) mu += x[row + c];
            mu /= cols;
            double variance = 0;
            for (int c = 0; c < cols; c++) variance += (x[row + c] - mu) * (x[row + c] - mu);
            variance /= cols;
            double s = 1.0 / Math.sqrt(variance + eps);
            mean[r] = mu;
            rstd[r] = s;
            for (int c = 0; c < cols; c++) out[row + c] = (x[row + c] - mu) * s * weight[c] + bias[c];
        }
    }

    /**
     * With xhat = (x - mean) · rstd and g = dOut · weight:
     * dx += rstd · (g - mean(g) - xhat · mean(g · xhat)); dWeight += Σ dOut · xhat; dBias += Σ dOut.
     */
    static void layerBackward(double[] dx, double[] dWeight, double[] dBias, double[] dOut, double[] x,
                              double[] weight, double[] mean, double[] rstd, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double mu = mean[r];
            double s = rstd[r];
            if (dx != null) {
                double meanG = 0;
                double meanGxhat = 0;
                for (int c = 0; c < cols; c++) {
                    double g = dOut[row + c] * weight[c];
                    meanG += g;
                    meanGxhat += g * (x[row + c] - mu) * s;
                }
                meanG /= cols;
                meanGxhat /= cols;
                for (int c = 0; c < cols; c++) {
                    double g = dOut[row + c] * weight[c];
                    double xhat = (x[row + c] - mu) * s;
                    dx[row + c] += s * (g - meanG - xhat * meanGxhat);
                }
            }
            for (int c = 0; c < cols; c++) {
                if (dWeight != null) dWeight[c] += dOut[row + c] * (x[row + c] - mu) * s;
                if (dBias != null) dBias[c] += dOut[row + c];
            }
        }
    }
}
