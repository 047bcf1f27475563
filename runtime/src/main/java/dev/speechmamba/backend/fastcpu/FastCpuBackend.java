package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostTensors;
import dev.speechmamba.tensor.Tensor;

/**
 * Multi-threaded float32 CPU backend (Vector API where it pays), tested against the reference by
 * BackendParityTest. Tensors are host arrays (float[] / int[]) viewed at an element offset. Each op
 * family lives in its own class (FastMatmul, FastElementwise, FastLayout, FastNorm, FastConv, FastScan,
 * FastAttention, FastLoss, FastAdam); this class owns the thread pool and delegates.
 */
public final class FastCpuBackend implements Backend {
    private final FastParallel par;
    private final FastMatmul matmul;
    private final FastElementwise elementwise;
    private final FastLayout layout;
    private final FastNorm norm;
    private final FastConv conv;
    private final FastScan scan;
    private final FastAttention attention;
    private final FastLoss loss;
    private final FastAdam adam;

    /** A backend using every available core. */
    public FastCpuBackend() { this(Runtime.getRuntime().availableProcessors()); }

    /** A backend using {@code threads} threads (the caller's included); 1 runs everything on the caller. */
    public FastCpuBackend(int threads) {
        par = new FastParallel(threads);
        matmul = new FastMatmul(par);
        elementwise = new FastElementwise(par);
        layout = new FastLayout(par);
        norm = new FastNorm(par);
        conv = new FastConv(par, matmul);
        scan = new FastScan(par);
        attention = new FastAttention(par);
        loss = new FastLoss(par);
        adam = new FastAdam(par);
    }

    @Override public String name() { return "cpu"; }

    public int threads() { return par.threads(); }

    @Override public void close() { par.close(); }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor zeros(DType dtype, int... dims) { return HostTensors.zeros("cpu", dtype, dims); }

    @Override public Tensor fromHost(float[] data, int... dims) { return Tensor.ofFloats(data.clone(), dims); }

    @Override public Tensor fromHostInts(int[] data, int... dims) { return Tensor.ofInts(data.clone(), dims); }

    @Override
    public float[] toHost(Tensor t) {
        Checks.f32("toHost", "t", t);
        return HostTensors.floatsCopy("toHost", t);
    }

    @Override
    public int[] toHostInts(Tensor t) {
        Checks.i32("toHostInts", "t", t);
        return FastHost.intsCopy("toHostInts", t);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Checks.copyable("copy", dst, src);
        HostTensors.copy("copy", dst, src);
    }

    @Override
    public void fill(Tensor t, float value) {
        Checks.f32("fill", "t", t);
        int off = FastHost.off(t);
        java.util.Arrays.fill(FastHost.floats("fill", t), off, off + FastHost.size(t), value);
    }

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

    @Override
    public void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) { elementwise.mulBackward(da, db, dOut, a, b); }

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
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) { norm.rmsNorm(out, rstd, x, weight, eps); }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        norm.rmsNormBackward(dx, dWeight, dOut, x, weight, rstd);
    }

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        norm.layerNorm(out, mean, rstd, x, weight, bias, eps);
    }

    @Override
    public void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight,
                                  Tensor mean, Tensor rstd) {
        norm.layerNormBackward(dx, dWeight, dBias, dOut, x, weight, mean, rstd);
    }

    @Override public void softmax(Tensor out, Tensor x) { norm.softmax(out, x); }

    @Override public void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) { norm.softmaxBackward(dx, dOut, out); }

    @Override public void logSoftmax(Tensor out, Tensor x) { norm.logSoftmax(out, x); }

    @Override public void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) { norm.logSoftmaxBackward(dx, dOut, out); }

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

    // ------------------------------------------------------------------ selective scan

    @Override public Tensor selectiveScan(Tensor out, ScanInputs in) { return scan.selectiveScan(out, in); }

    @Override public void selectiveScanStep(Tensor out, Tensor state, ScanInputs in) { scan.selectiveScanStep(out, state, in); }

    @Override
    public void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        scan.selectiveScanBackward(grads, dOut, in, saved);
    }

    // ------------------------------------------------------------------ attention

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        attention.attention(out, lse, q, k, v, mask, scale);
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out,
                                  Tensor lse, AttentionMask mask, float scale) {
        attention.attentionBackward(dq, dk, dv, dOut, q, k, v, out, lse, mask, scale);
    }

    // ------------------------------------------------------------------ losses

    @Override
    public void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                        boolean zeroInfinity) {
        loss.ctcLoss(losses, logits, inputLengths, targets, targetLengths, zeroInfinity);
    }

    @Override
    public void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets,
                                Tensor targetLengths, boolean zeroInfinity) {
        loss.ctcLossBackward(dLogits, dLosses, logits, inputLengths, targets, targetLengths, zeroInfinity);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        loss.crossEntropy(losses, logits, targets, smoothing, ignoreIndex);
    }

    @Override
    public void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                                     int ignoreIndex) {
        loss.crossEntropyBackward(dLogits, dLosses, logits, targets, smoothing, ignoreIndex);
    }

    // ------------------------------------------------------------------ optimizer

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                         float weightDecay, int step) {
        adam.adamStep(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }
}
