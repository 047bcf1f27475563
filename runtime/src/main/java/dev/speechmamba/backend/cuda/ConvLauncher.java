package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.ConvChecks;
import dev.speechmamba.backend.ConvChecks.Conv2dDims;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;

/** Launchers of conv.cu: the 2-D convolution of the front end and Mamba's causal depthwise 1-D convolution. */
final class ConvLauncher {
    private static final String CONV = "conv.cu";
    private static final int THREADS = 256;
    private static final int TAPS_PER_PASS = 8;   // CONV1D_TAPS_PER_PASS in conv.cu
    private static final int MAX_ROW_SPLITS = 256;

    /**
     * Ci·Kh·Kw from which conv2d runs as im2col + cuBLAS GEMM instead of the direct kernels. Measured on an
     * H200 at batch 8, 1000 frames, 80 bins, 256 channels, kernel 5, stride 2: the first front-end conv
     * (1·5·5) runs 3x faster forward and 12x faster for dw as GEMM, the second (256·5·5) 10x forward and 35x
     * backward. Only tiny convolutions stay direct. Set the property very large to force the direct kernels.
     */
    static final String GEMM_MIN_K_PROPERTY = "speechmamba.cuda.conv2dGemmMinK";
    /**
     * Upper bound in bytes of the im2col buffer (default 256 MiB): larger batches run in chunks of batch
     * entries, and an entry too large on its own (an hour of audio: 11.5 GB for the second front-end conv)
     * runs forward in slices of output rows. Tests set it small to exercise the slicing.
     */
    static final String COLUMN_BUFFER_PROPERTY = "speechmamba.cuda.conv2dColumnBufferBytes";
    private static final long DEFAULT_COLUMN_BUFFER_BYTES = 256L << 20;

    private final CudaContext ctx;
    private final MatmulLauncher matmul;
    private final int gemmMinK;
    private final long columnBufferBytes;

    ConvLauncher(CudaContext ctx, MatmulLauncher matmul) {
        this.ctx = ctx;
        this.matmul = matmul;
        this.gemmMinK = Integer.getInteger(GEMM_MIN_K_PROPERTY, 16);
        this.columnBufferBytes = Long.getLong(COLUMN_BUFFER_PROPERTY, DEFAULT_COLUMN_BUFFER_BYTES);
        if (columnBufferBytes < Float.BYTES) {
            throw new IllegalArgumentException(COLUMN_BUFFER_PROPERTY + " must be at least " + Float.BYTES
                    + " bytes, got " + columnBufferBytes);
        }
    }

    private boolean useGemm(Conv2dDims d) {
        return (long) d.inChannels() * d.kernelH() * d.kernelW() >= gemmMinK;
    }

    /** Floats of im2col columns for one output row of one batch entry: Ci·Kh·Kw · Wo. */
    private static long columnFloatsPerRow(Conv2dDims d) {
        return (long) d.inChannels() * d.kernelH() * d.kernelW() * d.outWidth();
    }

    /** Batch entries per im2col chunk so the column buffer stays under the limit (at least one). */
    private int chunk(Conv2dDims d) {
        long perEntry = columnFloatsPerRow(d) * d.outHeight() * Float.BYTES;
        return (int) Math.max(1, Math.min(d.batch(), columnBufferBytes / Math.max(1, perEntry)));
    }

    /**
     * Output rows per forward slice: all of them when one entry's columns fit the buffer, else as many as
     * fit (at least one).
     */
    private int rowsPerSlice(Conv2dDims d) {
        long perRow = columnFloatsPerRow(d) * Float.BYTES;
        return (int) Math.max(1, Math.min(d.outHeight(), columnBufferBytes / Math.max(1, perRow)));
    }

    /** col (nb, Ci·Kh·Kw, nho·Wo) = the columns of entries [b0, b0 + nb), output rows [ho0, ho0 + nho). */
    private void im2col(Tensor col, Tensor x, Conv2dDims d, int b0, int nb, int ho0, int nho, int stride, int padding) {
        ctx.launch(CONV, "conv2d_im2col", ctx.gridFor(col.size(), THREADS), 1, 1, THREADS, 1, 1, 0, KernelArgs.of()
                .ptr(ctx.ptr(col)).ptr(ctx.ptr(x)).i32(b0).i32(nb).i32(d.inChannels()).i32(d.height()).i32(d.width())
                .i32(d.kernelH()).i32(d.kernelW()).i32(ho0).i32(nho).i32(d.outWidth()).i32(stride).i32(padding));
    }

    /** out (B, Co, Ho·Wo) = w (Co, Ci·Kh·Kw) · im2col(x) per batch entry, plus bias. */
    private void conv2dGemm(Tensor out, Tensor x, Tensor w, Tensor bias, Conv2dDims d, int stride, int padding) {
        int rows = Math.multiplyExact(d.inChannels(), d.kernelH() * d.kernelW());
        int spatial = Math.multiplyExact(d.outHeight(), d.outWidth());
        int sliceRows = rowsPerSlice(d);
        Tensor wMatrix = w.reshape(d.outChannels(), rows);
        if (sliceRows < d.outHeight()) {
            conv2dGemmSlices(out, x, wMatrix, d, sliceRows, stride, padding);
        } else {
            int chunk = chunk(d);
            try (DeviceStorage buffer = ctx.allocate((long) chunk * rows * spatial * Float.BYTES)) {
                for (int b0 = 0; b0 < d.batch(); b0 += chunk) {
                    int nb = Math.min(chunk, d.batch() - b0);
                    Tensor col = new Tensor(Shape.of(nb, rows, spatial), DType.F32, buffer);
                    im2col(col, x, d, b0, nb, 0, d.outHeight(), stride, padding);
                    Tensor outChunk = out.narrowFirst(b0, nb).reshape(nb, d.outChannels(), spatial);
                    matmul.matmul(outChunk, wMatrix, false, col, false, 1f, 0f);
                }
            }
        }
        if (bias != null) {
            ctx.launch(CONV, "conv2d_add_bias", ctx.gridFor(out.size(), THREADS), 1, 1, THREADS, 1, 1, 0, KernelArgs.of()
                    .ptr(ctx.ptr(out)).ptr(ctx.ptr(bias)).i64(out.size()).i32(d.outChannels()).i32(spatial));
        }
    }

    /**
     * The forward GEMM one entry and {@code sliceRows} output rows at a time: out_b[:, ho0·Wo, (ho0 + nho)·Wo)
     * (Co, nho·Wo), a column block of out_b (Co, Ho·Wo) with row stride Ho·Wo, = w (Co, Ci·Kh·Kw) · col (Ci·Kh·Kw, nho·Wo).
     */
    private void conv2dGemmSlices(Tensor out, Tensor x, Tensor wMatrix, Conv2dDims d, int sliceRows, int stride,
                                  int padding) {
        int rows = wMatrix.dim(1), co = d.outChannels(), wo = d.outWidth();
        long spatial = (long) d.outHeight() * wo;
        try (DeviceStorage buffer = ctx.allocate((long) rows * sliceRows * wo * Float.BYTES)) {
            for (int b = 0; b < d.batch(); b++) {
                for (int ho0 = 0; ho0 < d.outHeight(); ho0 += sliceRows) {
                    int nho = Math.min(sliceRows, d.outHeight() - ho0);
                    Tensor col = new Tensor(Shape.of(1, rows, nho * wo), DType.F32, buffer);   // (1, Ci·Kh·Kw, nho·Wo)
                    im2col(col, x, d, b, 1, ho0, nho, stride, padding);
                    long target = ctx.ptr(out) + ((long) b * co * spatial + (long) ho0 * wo) * Float.BYTES;
                    matmul.gemmIntoColumns(target, Math.toIntExact(spatial), ctx.ptr(wMatrix), ctx.ptr(col), co,
                            nho * wo, rows);
                }
            }
        }
    }

    /** dw += Σ_b dOut_b · im2col(x_b)ᵀ and dx += col2im(wᵀ · dOut_b), chunk by chunk. */
    private void conv2dBackwardGemm(Tensor dx, Tensor dw, Tensor dOut, Tensor x, Tensor w, Conv2dDims d, int stride,
                                    int padding) {
        int rows = d.inChannels() * d.kernelH() * d.kernelW();
        int spatial = d.outHeight() * d.outWidth();
        int chunk = chunk(d);
        Tensor wMatrix = w.reshape(d.outChannels(), rows);
        Tensor dwMatrix = dw == null ? null : dw.reshape(d.outChannels(), rows);
        try (DeviceStorage buffer = ctx.allocate((long) chunk * rows * spatial * Float.BYTES)) {
            for (int b0 = 0; b0 < d.batch(); b0 += chunk) {
                int nb = Math.min(chunk, d.batch() - b0);
                Tensor col = new Tensor(Shape.of(nb, rows, spatial), DType.F32, buffer);
                Tensor dOutChunk = dOut.narrowFirst(b0, nb).reshape(nb, d.outChannels(), spatial);
                if (dwMatrix != null) {
                    im2col(col, x, d, b0, nb, 0, d.outHeight(), stride, padding);
                    matmul.matmulBackward(dwMatrix, null, dOutChunk, wMatrix, false, col, false);
                }
                if (dx != null) {
                    // the buffer now holds dcol = wᵀ · dOut (the dw GEMM before it is done in stream order)
                    matmul.matmul(col, wMatrix, true, dOutChunk, false, 1f, 0f);
                    ctx.launch(CONV, "conv2d_col2im_accumulate", ctx.gridFor((long) nb * d.inChannels() * d.height() * d.width(), THREADS),
                            1, 1, THREADS, 1, 1, 0, KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(col)).i32(b0).i32(nb)
                                    .i32(d.inChannels()).i32(d.height()).i32(d.width()).i32(d.kernelH()).i32(d.kernelW())
                                    .i32(d.outHeight()).i32(d.outWidth()).i32(stride).i32(padding));
                }
            }
        }
    }

    /** Appends the convolution's sizes, stride and padding in the order every conv2d kernel takes them. */
    private static KernelArgs append(KernelArgs args, Conv2dDims d, int stride, int padding) {
        return args.i32(d.batch()).i32(d.inChannels()).i32(d.height()).i32(d.width()).i32(d.outChannels())
                .i32(d.kernelH()).i32(d.kernelW()).i32(d.outHeight()).i32(d.outWidth()).i32(stride).i32(padding);
    }

    void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        Conv2dDims d = ConvChecks.conv2d("conv2d", out, x, w, bias, stride, padding);
        if (out.size() == 0) return;
        if (useGemm(d)) {
            conv2dGemm(out, x, w, bias, d, stride, padding);
            return;
        }
        ctx.launch(CONV, "conv2d_forward", ctx.gridFor(out.size(), THREADS), 1, 1, THREADS, 1, 1, 0,
                append(KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).ptr(ctx.ptr(w)).ptr(ctx.ptrOrNull(bias)),
                        d, stride, padding));
    }

    void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        String name = "conv2dBackward";
        Conv2dDims d = ConvChecks.conv2dBackward(name, dx, dw, dBias, dOut, x, w, stride, padding);
        if (useGemm(d) && dOut.size() > 0 && (dx != null || dw != null)) {
            conv2dBackwardGemm(dx, dw, dOut, x, w, d, stride, padding);
        } else if (dx != null) {
            ctx.launch(CONV, "conv2d_backward_input", ctx.gridFor(x.size(), THREADS), 1, 1, THREADS, 1, 1, 0,
                    append(KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(w)), d, stride, padding));
        }
        if (dw != null && dOut.size() > 0 && !useGemm(d)) {
            // one block per weight element; the grid is 1-D, so w must have < 2^31 elements
            int blocks = DenseChecks.intSize(name, "elements of w", w.size());
            ctx.launch(CONV, "conv2d_backward_weight", blocks, 1, 1, THREADS, 1, 1, 0,
                    append(KernelArgs.of().ptr(ctx.ptr(dw)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(x)), d, stride, padding));
        }
        if (dBias != null && dOut.size() > 0) {
            ctx.launch(CONV, "conv2d_backward_bias", d.outChannels(), 1, 1, THREADS, 1, 1, 0, KernelArgs.of()
                    .ptr(ctx.ptr(dBias)).ptr(ctx.ptr(dOut)).i32(d.batch()).i32(d.outChannels())
                    .i32(d.outHeight() * d.outWidth()));
        }
    }

    void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) {
        ConvChecks.causalConv1d("causalConv1d", out, x, w, bias);
        ctx.launch(CONV, "causal_conv1d_forward", ctx.gridFor(x.size(), THREADS), 1, 1, THREADS, 1, 1, 0,
                KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(x)).ptr(ctx.ptr(w)).ptr(ctx.ptrOrNull(bias))
                        .i32(x.dim(0)).i32(x.dim(1)).i32(x.dim(2)).i32(w.dim(1)));
    }

    void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        ConvChecks.causalConv1dBackward("causalConv1dBackward", dx, dw, dBias, dOut, x, w);
        int batch = x.dim(0), time = x.dim(1), channels = x.dim(2), taps = w.dim(1);
        if (dx != null) {
            ctx.launch(CONV, "causal_conv1d_backward_input", ctx.gridFor(x.size(), THREADS), 1, 1, THREADS, 1, 1, 0,
                    KernelArgs.of().ptr(ctx.ptr(dx)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(w))
                            .i32(batch).i32(time).i32(channels).i32(taps));
        }
        long rows = (long) batch * time;
        if ((dw == null && dBias == null) || rows == 0 || channels == 0) return;
        int tiles = (channels + 31) / 32;
        int splits = (int) Math.max(1, Math.min(MAX_ROW_SPLITS, (rows + 127) / 128));
        // taps are reduced 8 per pass; the bias rides along with the first pass only
        int passes = dw == null ? 1 : (taps + TAPS_PER_PASS - 1) / TAPS_PER_PASS;
        for (int pass = 0; pass < passes; pass++) {
            Tensor biasThisPass = pass == 0 ? dBias : null;
            ctx.launch(CONV, "causal_conv1d_backward_params", tiles, splits, 1, 32, 8, 1, 0, KernelArgs.of()
                    .ptr(ctx.ptrOrNull(dw)).ptr(ctx.ptrOrNull(biasThisPass)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(x))
                    .i32(batch).i32(time).i32(channels).i32(taps).i32(pass * TAPS_PER_PASS));
        }
    }
}
