package dev.speechmamba.backend.reference;

/** Softmax and log-softmax over the last dimension of a (rows, C) matrix, in float64. */
final class SoftmaxRef {
    private SoftmaxRef() { }

    static void softmaxForward(double[] out, double[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[row + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                out[row + c] = Math.exp(x[row + c] - max);
                sum += out[row + c];
            }
            for (int c = 0; c < cols; c++) out[row + c] /= sum;
        }
    }

    /** dx += out · (dOut - Σ dOut · out) per row. out as produced by {@link #softmaxForward}. */
    static void softmaxBackward(double[] dx, double[] dOut, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) dot += dOut[row + c] * out[row + c];
            for (int c = 0; c < cols; c++) dx[row + c] += out[row + c] * (dOut[row + c] - dot);
        }
    }

    static void logSoftmaxForward(double[] out, double[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, x[row + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(x[row + c] - max);
            double logNormalizer = max + Math.log(sum);
            for (int c = 0; c < cols; c++) out[row + c] = x[row + c] - logNormalizer;
        }
    }

    /** dx += dOut - exp(out) · Σ dOut per row. out as produced by {@link #logSoftmaxForward}. */
    static void logSoftmaxBackward(double[] dx, double[] dOut, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += dOut[row + c];
            for (int c = 0; c < cols; c++) dx[row + c] += dOut[row + c] - Math.exp(out[row + c]) * sum;
        }
    }
}
