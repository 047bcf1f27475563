package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ElementwiseChecks;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/**
 * Launchers of elementwise.cu, reduce.cu and adam.cu: fill, unary functions, add/mul, bias, axpy, scale,
 * sum of squares, dropout and the Adam step. Shapes are checked here, before anything is queued.
 */
final class ElementwiseLauncher {
    private static final String ELEMENTWISE = "elementwise.cu";
    private static final String REDUCE = "reduce.cu";
    private static final String ADAM = "adam.cu";
    private static final int THREADS = 256;
    /** Rows per block of the column-sum kernels (block (32, 8)) and the cap on row-splitting blocks. */
    private static final int COLUMN_ROWS = 8;
    private static final int MAX_ROW_SPLITS = 256;
    private static final int MAX_PARTIALS = 1024;

    private final CudaContext ctx;

    ElementwiseLauncher(CudaContext ctx) { this.ctx = ctx; }

    private void flat(String file, String kernel, long n, KernelArgs args) {
        ctx.launch(file, kernel, ctx.gridFor(n, THREADS), 1, 1, THREADS, 1, 1, 0, args);
    }

    void fill(Tensor t, float value) {
        Checks.f32("fill", "t", t);
        flat(ELEMENTWISE, "fill_f32", t.size(), KernelArgs.of().ptr(ctx.ptr(t)).i64(t.size()).f32(value));
    }

    void unary(Unary op, Tensor out, Tensor x) {
        ElementwiseChecks.unary("unary", op, out, x);
        flat(ELEMENTWISE, "unary_forward", x.size(),
                KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).i64(x.size()).i32(op.ordinal()));
    }

    void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) {
        ElementwiseChecks.unaryBackward("unaryBackward", op, dx, dOut, x);
        if (dx == null) return;
        flat(ELEMENTWISE, "unary_backward", x.size(),
                KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(x)).i64(x.size()).i32(op.ordinal()));
    }

    void add(Tensor out, Tensor a, Tensor b) {
        binary("add", "add_forward", out, a, b);
    }

    void mul(Tensor out, Tensor a, Tensor b) {
        binary("mul", "mul_forward", out, a, b);
    }

    private void binary(String name, String kernel, Tensor out, Tensor a, Tensor b) {
        ElementwiseChecks.binary(name, out, a, b);
        flat(ELEMENTWISE, kernel, a.size(),
                KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(a)).ptr(ctx.ptr(b)).i64(a.size()));
    }

    void addBackward(Tensor da, Tensor db, Tensor dOut) {
        ElementwiseChecks.addBackward("addBackward", da, db, dOut);
        if (da != null) axpyUnchecked(da, 1f, dOut);
        if (db != null) axpyUnchecked(db, 1f, dOut);
    }

    void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        ElementwiseChecks.mulBackward("mulBackward", da, db, dOut, a, b);
        if (da == null && db == null) return;
        flat(ELEMENTWISE, "mul_backward", a.size(), KernelArgs.of().ptr(ctx.ptrOrNull(da)).ptr(ctx.ptrOrNull(db))
                .ptr(ctx.ptr(dOut)).ptr(ctx.ptr(a)).ptr(ctx.ptr(b)).i64(a.size()));
    }

    void addBias(Tensor out, Tensor x, Tensor bias) {
        int channels = ElementwiseChecks.addBias("addBias", out, x, bias);
        if (channels == 0) return;
        flat(ELEMENTWISE, "add_bias_forward", x.size(), KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x))
                .ptr(ctx.ptr(bias)).i64(x.size()).i32(channels));
    }

    void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) {
        int channels = ElementwiseChecks.addBiasBackward("addBiasBackward", dx, dBias, dOut);
        if (dx != null) axpyUnchecked(dx, 1f, dOut);
        if (dBias != null) columnSum(dBias, dOut, dOut.shape().rows(), channels);
    }

    /** out[c] += Σ_r x[r, c] for x viewed as (rows, C). */
    void columnSum(Tensor out, Tensor x, long rows, int channels) {
        if (rows == 0 || channels == 0) return;
        int tiles = (channels + 31) / 32;
        int splits = (int) Math.min(MAX_ROW_SPLITS, (rows + COLUMN_ROWS * 16 - 1) / (COLUMN_ROWS * 16));
        ctx.launch(REDUCE, "column_sum_accumulate", tiles, Math.max(1, splits), 1, 32, COLUMN_ROWS, 1, 0,
                KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).i64(rows).i32(channels));
    }

    void axpy(Tensor y, float alpha, Tensor x) {
        ElementwiseChecks.axpy("axpy", y, x);
        axpyUnchecked(y, alpha, x);
    }

    private void axpyUnchecked(Tensor y, float alpha, Tensor x) {
        flat(ELEMENTWISE, "axpy_f32", x.size(), KernelArgs.of().ptr(ctx.ptr(y)).ptr(ctx.ptr(x)).i64(x.size()).f32(alpha));
    }

    void scale(Tensor x, float s) {
        Checks.f32("scale", "x", x);
        flat(ELEMENTWISE, "scale_f32", x.size(), KernelArgs.of().ptr(ctx.ptr(x)).i64(x.size()).f32(s));
    }

    /** Block partial sums in double on the device, added on the host (a synchronising call). */
    double sumOfSquares(Tensor x) {
        Checks.f32("sumOfSquares", "x", x);
        long n = x.size();
        if (n == 0) return 0.0;
        // at most 1024 partials: enough blocks to fill an H100/H200, few values to add on the host
        int blocks = Math.min(ctx.gridFor(n, THREADS), MAX_PARTIALS);
        try (DeviceStorage partials = ctx.allocate((long) blocks * Double.BYTES)) {
            ctx.launch(REDUCE, "sum_squares_partial", blocks, 1, 1, THREADS, 1, 1, 0,
                    KernelArgs.of().ptr(partials.pointer()).ptr(ctx.ptr(x)).i64(n));
            double[] host = new double[blocks];
            ctx.handles().copyToHost(host, partials.pointer());
            double sum = 0;
            for (double v : host) sum += v;
            return sum;
        }
    }

    void dropout(Tensor out, Tensor x, float p, long seed) {
        ElementwiseChecks.dropout("dropout", out, x, p);
        flat(ELEMENTWISE, "dropout_forward", x.size(), KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).i64(x.size())
                .f32(p).f32(keepScale(p)).i64(seed));
    }

    void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) {
        ElementwiseChecks.dropoutBackward("dropoutBackward", dx, dOut, p);
        if (dx == null) return;
        flat(ELEMENTWISE, "dropout_backward", dOut.size(), KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut))
                .i64(dOut.size()).f32(p).f32(keepScale(p)).i64(seed));
    }

    /** 1 / (1 - p) rounded once to float, so the kernel multiplies instead of dividing. */
    private static float keepScale(float p) { return (float) (1.0 / (1.0 - p)); }

    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                  float weightDecay, int step) {
        ElementwiseChecks.adamStep("adamStep", param, grad, m, v, beta1, beta2, step);
        float correction1 = (float) (1.0 - Math.pow(beta1, step));
        float correction2 = (float) (1.0 - Math.pow(beta2, step));
        flat(ADAM, "adam_step", param.size(), KernelArgs.of().ptr(ctx.ptr(param)).ptr(ctx.ptr(grad)).ptr(ctx.ptr(m))
                .ptr(ctx.ptr(v)).i64(param.size()).f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay)
                .f32(correction1).f32(correction2));
    }
}
