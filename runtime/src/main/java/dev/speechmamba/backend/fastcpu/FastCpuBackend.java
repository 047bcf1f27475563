package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

/** Multi-threaded float32 CPU backend (Vector API where it pays), tested against the reference. */
public final class FastCpuBackend implements Backend {
    @Override public String name() { return "cpu"; }
    @Override public Tensor zeros(DType dtype, int... dims) { throw new UnsupportedOperationException(); }
    @Override public Tensor fromHost(float[] data, int... dims) { throw new UnsupportedOperationException(); }
    @Override public Tensor fromHostInts(int[] data, int... dims) { throw new UnsupportedOperationException(); }
    @Override public float[] toHost(Tensor t) { throw new UnsupportedOperationException(); }
    @Override public int[] toHostInts(Tensor t) { throw new UnsupportedOperationException(); }
    @Override public void copy(Tensor dst, Tensor src) { throw new UnsupportedOperationException(); }
    @Override public void fill(Tensor t, float value) { throw new UnsupportedOperationException(); }

    @Override
    public void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        throw new UnsupportedOperationException("cpu matmul: not implemented yet");
    }

    @Override
    public void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        throw new UnsupportedOperationException("cpu matmulBackward: not implemented yet");
    }

    @Override
    public void unary(Unary op, Tensor out, Tensor x) {
        throw new UnsupportedOperationException("cpu unary: not implemented yet");
    }

    @Override
    public void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) {
        throw new UnsupportedOperationException("cpu unaryBackward: not implemented yet");
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("cpu add: not implemented yet");
    }

    @Override
    public void addBackward(Tensor da, Tensor db, Tensor dOut) {
        throw new UnsupportedOperationException("cpu addBackward: not implemented yet");
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("cpu mul: not implemented yet");
    }

    @Override
    public void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("cpu mulBackward: not implemented yet");
    }

    @Override
    public void addBias(Tensor out, Tensor x, Tensor bias) {
        throw new UnsupportedOperationException("cpu addBias: not implemented yet");
    }

    @Override
    public void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) {
        throw new UnsupportedOperationException("cpu addBiasBackward: not implemented yet");
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        throw new UnsupportedOperationException("cpu axpy: not implemented yet");
    }

    @Override
    public void scale(Tensor x, float s) {
        throw new UnsupportedOperationException("cpu scale: not implemented yet");
    }

    @Override
    public double sumOfSquares(Tensor x) {
        throw new UnsupportedOperationException("cpu sumOfSquares: not implemented yet");
    }

    @Override
    public void sliceLastDim(Tensor out, Tensor x, int start) {
        throw new UnsupportedOperationException("cpu sliceLastDim: not implemented yet");
    }

    @Override
    public void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        throw new UnsupportedOperationException("cpu sliceLastDimBackward: not implemented yet");
    }

    @Override
    public void permute(Tensor out, Tensor x, int... perm) {
        throw new UnsupportedOperationException("cpu permute: not implemented yet");
    }

    @Override
    public void permuteBackward(Tensor dx, Tensor dOut, int... perm) {
        throw new UnsupportedOperationException("cpu permuteBackward: not implemented yet");
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        throw new UnsupportedOperationException("cpu rmsNorm: not implemented yet");
    }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        throw new UnsupportedOperationException("cpu rmsNormBackward: not implemented yet");
    }

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        throw new UnsupportedOperationException("cpu layerNorm: not implemented yet");
    }

    @Override
    public void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("cpu layerNormBackward: not implemented yet");
    }

    @Override
    public void softmax(Tensor out, Tensor x) {
        throw new UnsupportedOperationException("cpu softmax: not implemented yet");
    }

    @Override
    public void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        throw new UnsupportedOperationException("cpu softmaxBackward: not implemented yet");
    }

    @Override
    public void logSoftmax(Tensor out, Tensor x) {
        throw new UnsupportedOperationException("cpu logSoftmax: not implemented yet");
    }

    @Override
    public void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        throw new UnsupportedOperationException("cpu logSoftmaxBackward: not implemented yet");
    }

    @Override
    public void dropout(Tensor out, Tensor x, float p, long seed) {
        throw new UnsupportedOperationException("cpu dropout: not implemented yet");
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) {
        throw new UnsupportedOperationException("cpu dropoutBackward: not implemented yet");
    }

    @Override
    public void embedding(Tensor out, Tensor ids, Tensor table) {
        throw new UnsupportedOperationException("cpu embedding: not implemented yet");
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        throw new UnsupportedOperationException("cpu embeddingBackward: not implemented yet");
    }

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        throw new UnsupportedOperationException("cpu conv2d: not implemented yet");
    }

    @Override
    public void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        throw new UnsupportedOperationException("cpu conv2dBackward: not implemented yet");
    }

    @Override
    public void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) {
        throw new UnsupportedOperationException("cpu causalConv1d: not implemented yet");
    }

    @Override
    public void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        throw new UnsupportedOperationException("cpu causalConv1dBackward: not implemented yet");
    }

    @Override
    public Tensor selectiveScan(Tensor out, ScanInputs in) {
        throw new UnsupportedOperationException("cpu selectiveScan: not implemented yet");
    }

    @Override
    public void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        throw new UnsupportedOperationException("cpu selectiveScanBackward: not implemented yet");
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        throw new UnsupportedOperationException("cpu attention: not implemented yet");
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionMask mask, float scale) {
        throw new UnsupportedOperationException("cpu attentionBackward: not implemented yet");
    }

    @Override
    public void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        throw new UnsupportedOperationException("cpu ctcLoss: not implemented yet");
    }

    @Override
    public void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        throw new UnsupportedOperationException("cpu ctcLossBackward: not implemented yet");
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        throw new UnsupportedOperationException("cpu crossEntropy: not implemented yet");
    }

    @Override
    public void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        throw new UnsupportedOperationException("cpu crossEntropyBackward: not implemented yet");
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        throw new UnsupportedOperationException("cpu adamStep: not implemented yet");
    }

}
