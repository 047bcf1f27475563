package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.NormChecks;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/** Launchers of norms.cu (RMSNorm, LayerNorm) and softmax.cu (softmax, log-softmax). */
final class NormLauncher {
    private static final String NORMS = "norms.cu";
    private static final String SOFTMAX = "softmax.cu";
    /** Warp-per-row kernels: 8 warps, 8 rows per block. */
    private static final int ROWS_PER_BLOCK = 8;
    private static final int SOFTMAX_THREADS = 256;
    private static final int MAX_ROW_SPLITS = 256;

    private final CudaContext ctx;

    NormLauncher(CudaContext ctx) { this.ctx = ctx; }

    private void perRowWarp(String kernel, long rows, KernelArgs args) {
        long blocks = (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
        ctx.launch(NORMS, kernel, DenseChecks.intSize(kernel, "row blocks", blocks), 1, 1, 32 * ROWS_PER_BLOCK, 1, 1,
                0, args);
    }

    void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        NormChecks.rmsNorm("rmsNorm", out, rstd, x, weight, eps);
        int rows = x.shape().rows();
        perRowWarp("rms_norm_forward", rows, KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(rstd)).ptr(ctx.ptr(x))
                .ptr(ctx.ptr(weight)).i64(rows).i32(x.dim(-1)).f32(eps));
    }

    void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        NormChecks.rmsNormBackward("rmsNormBackward", dx, dWeight, dOut, x, weight, rstd);
        int rows = x.shape().rows();
        int cols = x.dim(-1);
        if (dx != null) {
            perRowWarp("rms_norm_backward_input", rows, KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut))
                    .ptr(ctx.ptr(x)).ptr(ctx.ptr(weight)).ptr(ctx.ptr(rstd)).i64(rows).i32(cols));
        }
        if (dWeight != null) params(dWeight, null, dOut, x, null, rstd, rows, cols);
    }

    void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        NormChecks.layerNorm("layerNorm", out, mean, rstd, x, weight, bias, eps);
        int rows = x.shape().rows();
        perRowWarp("layer_norm_forward", rows, KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(mean))
                .ptr(ctx.ptr(rstd)).ptr(ctx.ptr(x)).ptr(ctx.ptr(weight)).ptr(ctx.ptr(bias)).i64(rows)
                .i32(x.dim(-1)).f32(eps));
    }

    void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight,
                           Tensor mean, Tensor rstd) {
        NormChecks.layerNormBackward("layerNormBackward", dx, dWeight, dBias, dOut, x, weight, mean, rstd);
        int rows = x.shape().rows();
        int cols = x.dim(-1);
        if (dx != null) {
            perRowWarp("layer_norm_backward_input", rows, KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut))
                    .ptr(ctx.ptr(x)).ptr(ctx.ptr(weight)).ptr(ctx.ptr(mean)).ptr(ctx.ptr(rstd)).i64(rows).i32(cols));
        }
        if (dWeight != null || dBias != null) params(dWeight, dBias, dOut, x, mean, rstd, rows, cols);
    }

    /** Weight (and bias) gradients as column reductions; mean null selects RMSNorm's x · rstd. */
    private void params(Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor mean, Tensor rstd, int rows,
                        int cols) {
        if (rows == 0 || cols == 0) return;
        int tiles = (cols + 31) / 32;
        int splits = Math.max(1, Math.min(MAX_ROW_SPLITS, (rows + 127) / 128));
        ctx.launch(NORMS, "norm_backward_params", tiles, splits, 1, 32, 8, 1, 0, KernelArgs.of()
                .ptr(ctx.ptrOrNull(dWeight)).ptr(ctx.ptrOrNull(dBias)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(x))
                .ptr(ctx.ptrOrNull(mean)).ptr(ctx.ptr(rstd)).i64(rows).i32(cols));
    }

    void softmax(Tensor out, Tensor x, boolean log) {
        NormChecks.softmax(log ? "logSoftmax" : "softmax", out, x);
        int rows = x.shape().rows();
        int cols = x.dim(-1);
        if (cols == 0) return;
        ctx.launch(SOFTMAX, "softmax_forward", rows, 1, 1, SOFTMAX_THREADS, 1, 1, 0, KernelArgs.of()
                .ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).i64(rows).i32(cols).i32(log ? 1 : 0));
    }

    void softmaxBackward(Tensor dx, Tensor dOut, Tensor out, boolean log) {
        NormChecks.softmaxBackward(log ? "logSoftmaxBackward" : "softmaxBackward", dx, dOut, out);
        if (dx == null) return;
        int rows = out.shape().rows();
        int cols = out.dim(-1);
        if (cols == 0) return;
        ctx.launch(SOFTMAX, "softmax_backward", rows, 1, 1, SOFTMAX_THREADS, 1, 1, 0, KernelArgs.of()
                .ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(out)).i64(rows).i32(cols).i32(log ? 1 : 0));
    }
}
