package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.cuda.CudaDriver;
import dev.speechmamba.cuda.CudaDrivers;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;

/**
 * The CUDA backend: every {@link Backend} operation as a kernel from {@code cuda-kernels/src} (or a cuBLAS
 * GEMM) queued on one stream. Host reads ({@link #toHost}, {@link #sumOfSquares}, id checks) wait for the
 * stream; everything else returns as soon as the work is queued. One launcher per kernel family holds the
 * shape checks and grid math; this class only routes.
 */
public final class CudaBackend implements Backend {
    /** System property choosing the device ordinal (default 0). */
    public static final String DEVICE_PROPERTY = "speechmamba.cuda.device";

    private final CudaContext ctx;
    private final ElementwiseLauncher elementwise;
    private final LayoutLauncher layout;
    private final NormLauncher norms;
    private final ConvLauncher conv;
    private final MatmulLauncher matmul;
    private final ScanLauncher scan;
    private final AttentionLauncher attention;
    private final LossLauncher losses;

    private CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        this.elementwise = new ElementwiseLauncher(ctx);
        this.layout = new LayoutLauncher(ctx);
        this.norms = new NormLauncher(ctx);
        this.matmul = new MatmulLauncher(ctx);
        this.conv = new ConvLauncher(ctx, matmul);
        this.scan = new ScanLauncher(ctx);
        this.attention = new AttentionLauncher(ctx);
        this.losses = new LossLauncher(ctx);
    }

    /** True when libcuda loads and a device exists. Never throws, never crashes without libcuda. */
    public static boolean isAvailable() {
        try {
            return CudaDrivers.isGpuPresent();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** A backend on the device named by {@value #DEVICE_PROPERTY} (default 0). */
    public static Backend create() {
        return create(Integer.getInteger(DEVICE_PROPERTY, 0));
    }

    public static CudaBackend create(int deviceOrdinal) {
        if (!isAvailable()) {
            throw new IllegalStateException("cuda backend: no usable GPU (libcuda.so.1 missing, cuInit failed or no device)");
        }
        CudaDriver driver = CudaDrivers.get();
        return new CudaBackend(new CudaContext(driver, deviceOrdinal));
    }

    /** A page-locked staging buffer of {@code bytes} for asynchronous uploads onto this backend's stream. */
    public PinnedBuffer pinnedBuffer(long bytes) { return new PinnedBuffer(ctx, bytes); }

    /** The device context (stream, allocator, modules) shared by the launchers. */
    public CudaContext context() { return ctx; }

    @Override public String name() { return "cuda"; }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor zeros(DType dtype, int... dims) { return ctx.newTensor(dtype, dims); }

    @Override
    public Tensor fromHost(float[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != data.length) {
            throw new IllegalArgumentException("fromHost: shape " + s + " needs " + s.size() + " values, got " + data.length);
        }
        DeviceStorage storage = ctx.allocate((long) data.length * Float.BYTES);
        if (data.length > 0) ctx.handles().copyToDevice(storage.pointer(), data);
        return new Tensor(s, DType.F32, storage);
    }

    @Override
    public Tensor fromHostInts(int[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != data.length) {
            throw new IllegalArgumentException("fromHostInts: shape " + s + " needs " + s.size() + " values, got " + data.length);
        }
        DeviceStorage storage = ctx.allocate((long) data.length * Integer.BYTES);
        if (data.length > 0) ctx.handles().copyToDevice(storage.pointer(), data);
        return new Tensor(s, DType.I32, storage);
    }

    @Override
    public float[] toHost(Tensor t) {
        Checks.f32("toHost", "t", t);
        return ctx.hostFloats(t);
    }

    @Override
    public int[] toHostInts(Tensor t) {
        Checks.i32("toHostInts", "t", t);
        return ctx.hostInts(t);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Checks.copyable("copy", dst, src);
        long bytes = src.size() * src.dtype().bytes();
        if (bytes > 0) ctx.handles().copyDeviceToDevice(ctx.ptr(dst), ctx.ptr(src), bytes);
    }

    @Override
    public void fill(Tensor t, float value) { elementwise.fill(t, value); }

    @Override
    public void synchronize() { ctx.synchronize(); }

    @Override
    public void close() { ctx.close(); }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        matmul.matmul(out, a, transA, b, transB, alpha, beta);
    }

    @Override
    public void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        matmul.matmulBackward(da, db, dOut, a, transA, b, transB);
    }

    // ------------------------------------------------------------------ elementwise

    @Override public void unary(Unary op, Tensor out, Tensor x) { elementwise.unary(op, out, x); }

    @Override public void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) { elementwise.unaryBackward(op, dx, dOut, x); }

    @Override public void add(Tensor out, Tensor a, Tensor b) { elementwise.add(out, a, b); }

    @Override public void addBackward(Tensor da, Tensor db, Tensor dOut) { elementwise.addBackward(da, db, dOut); }

    @Override public void mul(Tensor out, Tensor a, Tensor b) { elementwise.mul(out, a, b); }

    @Override public void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) { elementwise.mulBackward(da, db, dOut, a, b); }

    @Override public void addBias(Tensor out, Tensor x, Tensor bias) { elementwise.addBias(out, x, bias); }

    @Override public void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) { elementwise.addBiasBackward(dx, dBias, dOut); }

    @Override public void axpy(Tensor y, float alpha, Tensor x) { elementwise.axpy(y, alpha, x); }

    @Override public void scale(Tensor x, float s) { elementwise.scale(x, s); }

    @Override public double sumOfSquares(Tensor x) { return elementwise.sumOfSquares(x); }

    // ------------------------------------------------------------------ layout

    @Override public void sliceLastDim(Tensor out, Tensor x, int start) { layout.sliceLastDim(out, x, start); }

    @Override public void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) { layout.sliceLastDimBackward(dx, dOut, start); }

    @Override public void permute(Tensor out, Tensor x, int... perm) { layout.permute(out, x, perm); }

    @Override public void permuteBackward(Tensor dx, Tensor dOut, int... perm) { layout.permuteBackward(dx, dOut, perm); }

    // ------------------------------------------------------------------ normalization

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) { norms.rmsNorm(out, rstd, x, weight, eps); }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        norms.rmsNormBackward(dx, dWeight, dOut, x, weight, rstd);
    }

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        norms.layerNorm(out, mean, rstd, x, weight, bias, eps);
    }

    @Override
    public void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight,
                                  Tensor mean, Tensor rstd) {
        norms.layerNormBackward(dx, dWeight, dBias, dOut, x, weight, mean, rstd);
    }

    @Override public void softmax(Tensor out, Tensor x) { norms.softmax(out, x, false); }

    @Override public void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) { norms.softmaxBackward(dx, dOut, out, false); }

    @Override public void logSoftmax(Tensor out, Tensor x) { norms.softmax(out, x, true); }

    @Override public void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) { norms.softmaxBackward(dx, dOut, out, true); }

    // ------------------------------------------------------------------ dropout and embedding

    @Override public void dropout(Tensor out, Tensor x, float p, long seed) { elementwise.dropout(out, x, p, seed); }

    @Override public void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) { elementwise.dropoutBackward(dx, dOut, p, seed); }

    @Override public void embedding(Tensor out, Tensor ids, Tensor table) { layout.embedding(out, ids, table); }

    @Override public void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) { layout.embeddingBackward(dTable, dOut, ids); }

    // ------------------------------------------------------------------ convolutions

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        conv.conv2d(out, x, w, bias, stride, padding);
    }

    @Override
    public void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        conv.conv2dBackward(dx, dw, dBias, dOut, x, w, stride, padding);
    }

    @Override public void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) { conv.causalConv1d(out, x, w, bias); }

    @Override
    public void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        conv.causalConv1dBackward(dx, dw, dBias, dOut, x, w);
    }

    // ------------------------------------------------------------------ selective scan, attention, losses (kseq)

    @Override public Tensor selectiveScan(Tensor out, ScanInputs in) { return scan.forward(out, in); }

    @Override public void selectiveScanStep(Tensor out, Tensor state, ScanInputs in) { scan.step(out, state, in); }

    @Override
    public void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        scan.backward(grads, dOut, in, saved);
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        attention.forward(out, lse, q, k, v, mask, scale);
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v,
                                  Tensor out, Tensor lse, AttentionMask mask, float scale) {
        attention.backward(dq, dk, dv, dOut, q, k, v, out, lse, mask, scale);
    }

    @Override
    public void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                        boolean zeroInfinity) {
        this.losses.ctcLoss(losses, logits, inputLengths, targets, targetLengths, zeroInfinity);
    }

    @Override
    public void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets,
                                Tensor targetLengths, boolean zeroInfinity) {
        losses.ctcLossBackward(dLogits, dLosses, logits, inputLengths, targets, targetLengths, zeroInfinity);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        this.losses.crossEntropy(losses, logits, targets, smoothing, ignoreIndex);
    }

    @Override
    public void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                                     int ignoreIndex) {
        losses.crossEntropyBackward(dLogits, dLosses, logits, targets, smoothing, ignoreIndex);
    }

    // ------------------------------------------------------------------ optimizer

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                         float weightDecay, int step) {
        elementwise.adamStep(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override public String toString() { return "CudaBackend[" + ctx.allocator() + "]"; }
}
