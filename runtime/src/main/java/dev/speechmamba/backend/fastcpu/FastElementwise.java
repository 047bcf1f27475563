package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ElementwiseChecks;
import dev.speechmamba.backend.DropoutMask;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Elementwise ops, bias, axpy/scale, sum of squares and dropout: vectorized, split over threads by range. */
final class FastElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Rough cost of one transcendental element relative to an add, for the parallel threshold. */
    private static final long TRANSCENDENTAL_COST = 20;

    private final FastParallel par;

    FastElementwise(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ unary

    void unary(Unary op, Tensor out, Tensor x) {
        String name = "unary";
        ElementwiseChecks.unary(name, op, out, x);
        float[] o = FastHost.floats(name, out), xs = FastHost.floats(name, x);
        int oo = FastHost.off(out), xo = FastHost.off(x);
        par.forRange(FastHost.size(x), TRANSCENDENTAL_COST, (from, to) -> {
            for (int i = from; i < to; i++) o[oo + i] = apply(op, xs[xo + i]);
        });
    }

    void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) {
        String name = "unaryBackward";
        ElementwiseChecks.unaryBackward(name, op, dx, dOut, x);
        if (dx == null) return;
        float[] d = FastHost.floats(name, dx), g = FastHost.floats(name, dOut), xs = FastHost.floats(name, x);
        int dOff = FastHost.off(dx), gOff = FastHost.off(dOut), xOff = FastHost.off(x);
        par.forRange(FastHost.size(x), TRANSCENDENTAL_COST, (from, to) -> {
            for (int i = from; i < to; i++) d[dOff + i] += g[gOff + i] * derivative(op, xs[xOff + i]);
        });
    }

    static float sigmoid(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }

    static float softplus(float x) { return FastMath.softplus(x); }

    static float silu(float x) { return x * sigmoid(x); }

    static float siluDerivative(float x) {
        float s = sigmoid(x);
        return s * (1f + x * (1f - s));
    }

    static float apply(Unary op, float x) {
        return switch (op) {
            case SILU -> silu(x);
            case SOFTPLUS -> softplus(x);
            case EXP -> (float) Math.exp(x);
            case RELU -> Math.max(x, 0f);
        };
    }

    static float derivative(Unary op, float x) {
        return switch (op) {
            case SILU -> siluDerivative(x);
            case SOFTPLUS -> FastMath.softplusSlope(x);
            case EXP -> (float) Math.exp(x);
            case RELU -> x > 0f ? 1f : 0f;
        };
    }

    // ------------------------------------------------------------------ binary

    void add(Tensor out, Tensor a, Tensor b) { binary("add", out, a, b, false); }

    void mul(Tensor out, Tensor a, Tensor b) { binary("mul", out, a, b, true); }

    private void binary(String name, Tensor out, Tensor a, Tensor b, boolean multiply) {
        ElementwiseChecks.binary(name, out, a, b);
        float[] o = FastHost.floats(name, out), x = FastHost.floats(name, a), y = FastHost.floats(name, b);
        int oo = FastHost.off(out), xo = FastHost.off(a), yo = FastHost.off(b);
        par.forRange(FastHost.size(a), 1, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += V) {
                FloatVector va = FloatVector.fromArray(S, x, xo + i), vb = FloatVector.fromArray(S, y, yo + i);
                (multiply ? va.mul(vb) : va.add(vb)).intoArray(o, oo + i);
            }
            for (; i < to; i++) o[oo + i] = multiply ? x[xo + i] * y[yo + i] : x[xo + i] + y[yo + i];
        });
    }

    void addBackward(Tensor da, Tensor db, Tensor dOut) {
        ElementwiseChecks.addBackward("addBackward", da, db, dOut);
        if (da != null) axpyUnchecked(da, 1f, dOut);
        if (db != null) axpyUnchecked(db, 1f, dOut);
    }

    void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        String name = "mulBackward";
        ElementwiseChecks.mulBackward(name, da, db, dOut, a, b);
        float[] g = FastHost.floats(name, dOut);
        int go = FastHost.off(dOut);
        if (da != null) fmaInto(name, da, g, go, b);
        if (db != null) fmaInto(name, db, g, go, a);
    }

    /** dst += g * w elementwise. */
    private void fmaInto(String name, Tensor dst, float[] g, int go, Tensor w) {
        float[] d = FastHost.floats(name, dst), ws = FastHost.floats(name, w);
        int dOff = FastHost.off(dst), wOff = FastHost.off(w);
        par.forRange(FastHost.size(dst), 2, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += V) {
                FloatVector.fromArray(S, g, go + i).fma(FloatVector.fromArray(S, ws, wOff + i),
                        FloatVector.fromArray(S, d, dOff + i)).intoArray(d, dOff + i);
            }
            for (; i < to; i++) d[dOff + i] += g[go + i] * ws[wOff + i];
        });
    }

    // ------------------------------------------------------------------ bias

    void addBias(Tensor out, Tensor x, Tensor bias) {
        String name = "addBias";
        int c = ElementwiseChecks.addBias(name, out, x, bias);
        float[] o = FastHost.floats(name, out), xs = FastHost.floats(name, x), bs = FastHost.floats(name, bias);
        int oo = FastHost.off(out), xo = FastHost.off(x), bo = FastHost.off(bias);
        par.forRange(x.shape().rows(), c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r * c, j = 0;
                for (int bound = S.loopBound(c); j < bound; j += V) {
                    FloatVector.fromArray(S, xs, xo + row + j).add(FloatVector.fromArray(S, bs, bo + j))
                            .intoArray(o, oo + row + j);
                }
                for (; j < c; j++) o[oo + row + j] = xs[xo + row + j] + bs[bo + j];
            }
        });
    }

    void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) {
        String name = "addBiasBackward";
        int c = ElementwiseChecks.addBiasBackward(name, dx, dBias, dOut);
        if (dx != null) axpyUnchecked(dx, 1f, dOut);
        if (dBias != null) {
            float[] g = FastHost.floats(name, dOut);
            int go = FastHost.off(dOut);
            double[] sums = FastReduce.columnSums(par, dOut.shape().rows(), c, (r, acc) -> {
                int row = go + r * c;
                for (int j = 0; j < c; j++) acc[j] += g[row + j];
            });
            FastReduce.addInto(FastHost.floats(name, dBias), FastHost.off(dBias), sums);
        }
    }

    // ------------------------------------------------------------------ axpy, scale, norms

    void axpy(Tensor y, float alpha, Tensor x) {
        ElementwiseChecks.axpy("axpy", y, x);
        axpyUnchecked(y, alpha, x);
    }

    private void axpyUnchecked(Tensor y, float alpha, Tensor x) {
        float[] ys = FastHost.floats("axpy", y), xs = FastHost.floats("axpy", x);
        int yo = FastHost.off(y), xo = FastHost.off(x);
        par.forRange(FastHost.size(x), 2, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += V) {
                FloatVector.fromArray(S, xs, xo + i).mul(alpha).add(FloatVector.fromArray(S, ys, yo + i))
                        .intoArray(ys, yo + i);
            }
            for (; i < to; i++) ys[yo + i] += alpha * xs[xo + i];
        });
    }

    void scale(Tensor x, float s) {
        String name = "scale";
        Checks.f32(name, "x", x);
        float[] xs = FastHost.floats(name, x);
        int xo = FastHost.off(x);
        par.forRange(FastHost.size(x), 1, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += V) {
                FloatVector.fromArray(S, xs, xo + i).mul(s).intoArray(xs, xo + i);
            }
            for (; i < to; i++) xs[xo + i] *= s;
        });
    }

    double sumOfSquares(Tensor x) {
        String name = "sumOfSquares";
        Checks.f32(name, "x", x);
        float[] xs = FastHost.floats(name, x);
        int xo = FastHost.off(x), n = FastHost.size(x);
        int chunks = par.chunkCount(n, 2);
        double[] partial = new double[Math.max(chunks, 1)];
        par.forChunks(n, 2, (chunk, from, to) -> {
            double s = 0;
            // Float vector partial sums over short blocks, folded into double, keep both speed and accuracy.
            int i = from;
            while (i < to) {
                int end = Math.min(to, i + 1024);
                FloatVector acc = FloatVector.zero(S);
                for (int bound = i + S.loopBound(end - i); i < bound; i += V) {
                    FloatVector v = FloatVector.fromArray(S, xs, xo + i);
                    acc = v.fma(v, acc);
                }
                s += FastMath.sumLanes(acc);
                for (; i < end; i++) s += (double) xs[xo + i] * xs[xo + i];
            }
            partial[chunk] = s;
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    // ------------------------------------------------------------------ dropout

    void dropout(Tensor out, Tensor x, float p, long seed) {
        String name = "dropout";
        ElementwiseChecks.dropout(name, out, x, p);
        masked(name, out, x, p, seed, false);
    }

    void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) {
        String name = "dropoutBackward";
        ElementwiseChecks.dropoutBackward(name, dx, dOut, p);
        if (dx == null) return;
        masked(name, dx, dOut, p, seed, true);
    }

    private void masked(String name, Tensor dst, Tensor src, float p, long seed, boolean accumulate) {
        float[] d = FastHost.floats(name, dst), s = FastHost.floats(name, src);
        int dOff = FastHost.off(dst), sOff = FastHost.off(src);
        float keepScale = 1f / (1f - p);
        par.forRange(FastHost.size(src), 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = DropoutMask.keep(seed, i, p) ? s[sOff + i] * keepScale : 0f;
                if (accumulate) d[dOff + i] += v;
                else d[dOff + i] = v;
            }
        });
    }
}
