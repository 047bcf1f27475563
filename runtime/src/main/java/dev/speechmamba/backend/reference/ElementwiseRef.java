package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Unary;

/** Elementwise ops, bias add, axpy, scaling and the sum of squares, in float64 over flat arrays. */
final class ElementwiseRef {
    private ElementwiseRef() { }

    /** PyTorch's softplus switches to the identity above this input (beta = 1), avoiding exp overflow. */
    static final double SOFTPLUS_THRESHOLD = 20.0;

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static double apply(Unary op, double x) {
        return switch (op) {
            case SILU -> x * sigmoid(x);
            case SOFTPLUS -> x > SOFTPLUS_THRESHOLD ? x : Math.log1p(Math.exp(x));
            case EXP -> Math.exp(x);
            case RELU -> Math.max(x, 0.0);
        };
    }

    /** f'(x) for {@link #apply}. */
    static double derivative(Unary op, double x) {
        return switch (op) {
            case SILU -> {
                double s = sigmoid(x);
                yield s * (1.0 + x * (1.0 - s));
            }
            case SOFTPLUS -> x > SOFTPLUS_THRESHOLD ? 1.0 : sigmoid(x);
            case EXP -> Math.exp(x);
            case RELU -> x > 0 ? 1.0 : 0.0;
        };
    }

    static void unaryForward(Unary op, double[] out, double[] x, int n) {
        for (int i = 0; i < n; i++) out[i] = apply(op, x[i]);
    }

    static void unaryBackward(Unary op, double[] dx, double[] dOut, double[] x, int n) {
        for (int i = 0; i < n; i++) dx[i] += dOut[i] * derivative(op, x[i]);
    }

    static void addForward(double[] out, double[] a, double[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
    }

    static void addBackward(double[] da, double[] db, double[] dOut, int n) {
        for (int i = 0; i < n; i++) {
            if (da != null) da[i] += dOut[i];
            if (db != null) db[i] += dOut[i];
        }
    }

    static void mulForward(double[] out, double[] a, double[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] * b[i];
    }

    static void mulBackward(double[] da, double[] db, double[] dOut, double[] a, double[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (da != null) da[i] += dOut[i] * b[i];
            if (db != null) db[i] += dOut[i] * a[i];
        }
    }

    /** out = x + bias per row. x, out: (rows, C); bias: (C). */
    static void addBiasForward(double[] out, double[] x, double[] bias, int rows, int channels) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) out[r * channels + c] = x[r * channels + c] + bias[c];
        }
    }

    /** dx += dOut; dBias += Σ_rows dOut. dx, dOut: (rows, C); dBias: (C). */
    static void addBiasBackward(double[] dx, double[] dBias, double[] dOut, int rows, int channels) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) {
                double g = dOut[r * channels + c];
                if (dx != null) dx[r * channels + c] += g;
                if (dBias != null) dBias[c] += g;
            }
        }
    }

    /** y += alpha · x. */
    static void axpy(double[] y, double alpha, double[] x, int n) {
        for (int i = 0; i < n; i++) y[i] += alpha * x[i];
    }

    /** x *= s. */
    static void scale(double[] x, double s, int n) {
        for (int i = 0; i < n; i++) x[i] *= s;
    }

    static double sumOfSquares(double[] x, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[i] * x[i];
        return sum;
    }
}
