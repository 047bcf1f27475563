package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;

/** Argument checks of the row norms, shared by every backend. */
public final class NormChecks {
    private NormChecks() { }

    /** Checks x is (..., C) with rank &gt;= 2 and a per-row statistic has x's leading dims, e.g. (R) for (R, C). */
    private static void rows(String op, Tensor x, String statName, Tensor stat) {
        Checks.notNull(op, "x", x);
        Checks.notNull(op, statName, stat);
        int[] dims = x.shape().dims();
        if (dims.length < 2) throw Checks.error(op, "x has shape " + x.shape() + ", expected (R, C)");
        int[] leading = Arrays.copyOf(dims, dims.length - 1);
        if (!Arrays.equals(stat.shape().dims(), leading)) {
            throw Checks.error(op, statName + " has shape " + stat.shape() + ", expected "
                    + Arrays.toString(leading).replace('[', '(').replace(']', ')') + " for x " + x.shape());
        }
    }

    /** A checked norm call's x viewed as (rows, cols): cols is the normalized last dimension. */
    public record Rows(int rows, int cols) {
        static Rows of(Tensor x) { return new Rows(x.shape().rows(), x.dim(-1)); }
    }

    /** Checks out like x (..., C), rstd (...) and weight (C), all F32, and eps &gt;= 0. */
    public static Rows rmsNorm(String op, Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "rstd", rstd);
        Checks.f32(op, "x", x);
        Checks.f32(op, "weight", weight);
        rows(op, x, "rstd", rstd);
        Checks.sameShape(op, "out", out, "x", x);
        Checks.shape(op, "weight", weight, x.dim(-1));
        eps(op, eps);
        return Rows.of(x);
    }

    /** Checks dOut like x (..., C), rstd (...), weight (C) and the optional dx, dWeight like x, weight. */
    public static Rows rmsNormBackward(String op, Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight,
                                       Tensor rstd) {
        Checks.f32(op, "dOut", dOut);
        Checks.f32(op, "x", x);
        Checks.f32(op, "weight", weight);
        Checks.f32(op, "rstd", rstd);
        rows(op, x, "rstd", rstd);
        Checks.sameShape(op, "dOut", dOut, "x", x);
        Checks.shape(op, "weight", weight, x.dim(-1));
        Checks.gradLike(op, "dx", dx, "x", x);
        Checks.gradLike(op, "dWeight", dWeight, "weight", weight);
        return Rows.of(x);
    }

    /** The RMS norm's checks, plus mean (...) and bias (C), both F32. */
    public static Rows layerNorm(String op, Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight,
                                 Tensor bias, float eps) {
        Rows shape = rmsNorm(op, out, rstd, x, weight, eps);
        Checks.f32(op, "mean", mean);
        rows(op, x, "mean", mean);
        Checks.f32(op, "bias", bias);
        Checks.shape(op, "bias", bias, shape.cols());
        return shape;
    }

    /** The RMS norm backward's checks, plus mean (...) F32 and the optional dBias like weight. */
    public static Rows layerNormBackward(String op, Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x,
                                         Tensor weight, Tensor mean, Tensor rstd) {
        Rows shape = rmsNormBackward(op, dx, dWeight, dOut, x, weight, rstd);
        Checks.f32(op, "mean", mean);
        rows(op, x, "mean", mean);
        Checks.gradLike(op, "dBias", dBias, "weight", weight);
        return shape;
    }

    /** Checks out and x (..., C) F32 of the same shape (softmax, logSoftmax). */
    public static Rows softmax(String op, Tensor out, Tensor x) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "x", x);
        Checks.sameShape(op, "out", out, "x", x);
        if (x.rank() < 1) throw Checks.error(op, "x " + x.shape() + " needs a last dimension");
        return Rows.of(x);
    }

    /** Checks dOut and out (..., C) F32 of the same shape, and dx like out. */
    public static Rows softmaxBackward(String op, Tensor dx, Tensor dOut, Tensor out) {
        Checks.f32(op, "dOut", dOut);
        Checks.f32(op, "out", out);
        Checks.sameShape(op, "dOut", dOut, "out", out);
        if (out.rank() < 1) throw Checks.error(op, "out " + out.shape() + " needs a last dimension");
        Checks.gradLike(op, "dx", dx, "out", out);
        return Rows.of(out);
    }

    private static void eps(String op, float eps) {
        if (!(eps >= 0)) throw Checks.error(op, "eps must be >= 0, got " + eps);
    }
}
