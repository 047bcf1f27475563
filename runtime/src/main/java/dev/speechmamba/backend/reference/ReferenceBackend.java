package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;

/**
 * The specification backend: every operation is a plain loop in float64 (one file per op family
 * in this package, forward and backward side by side), results rounded to float32 on store.
 * Slow on purpose; the fast CPU and CUDA backends are tested against it.
 */
public final class ReferenceBackend implements Backend {

    @Override
    public String name() { return "reference"; }

    @Override
    public Tensor zeros(DType dtype, int... dims) {
        Shape s = Shape.of(dims);
        int n = Math.toIntExact(s.size());
        return switch (dtype) {
            case F32 -> new Tensor(s, dtype, HostStorage.ofFloats(new float[n]));
            case I32 -> new Tensor(s, dtype, HostStorage.ofInts(new int[n]));
            case BF16 -> throw new IllegalArgumentException("reference: BF16 tensors are not supported on the CPU");
        };
    }

    @Override
    public Tensor fromHost(float[] data, int... dims) { return Tensor.ofFloats(data.clone(), dims); }

    @Override
    public Tensor fromHostInts(int[] data, int... dims) { return Tensor.ofInts(data.clone(), dims); }

    @Override
    public float[] toHost(Tensor t) {
        float[] f = HostArrays.host("toHost", t).floats();
        float[] out = new float[Math.toIntExact(t.size())];
        System.arraycopy(f, Math.toIntExact(t.offset()), out, 0, out.length);
        return out;
    }

    @Override
    public int[] toHostInts(Tensor t) { return HostArrays.toInts(t); }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (!dst.shape().equals(src.shape()) || dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("copy: dst " + dst.shape() + " " + dst.dtype() + " and src "
                    + src.shape() + " " + src.dtype() + " differ");
        }
        if (src.dtype() == DType.I32) {
            System.arraycopy(HostArrays.host("copy", src).ints(), Math.toIntExact(src.offset()),
                    HostArrays.host("copy", dst).ints(), Math.toIntExact(dst.offset()), Math.toIntExact(src.size()));
        } else {
            System.arraycopy(HostArrays.host("copy", src).floats(), Math.toIntExact(src.offset()),
                    HostArrays.host("copy", dst).floats(), Math.toIntExact(dst.offset()), Math.toIntExact(src.size()));
        }
    }

    @Override
    public void fill(Tensor t, float value) {
        float[] f = HostArrays.host("fill", t).floats();
        int off = Math.toIntExact(t.offset());
        java.util.Arrays.fill(f, off, off + Math.toIntExact(t.size()), value);
    }

    @Override
    public void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        throw new UnsupportedOperationException("reference matmul: not implemented yet");
    }

    @Override
    public void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        throw new UnsupportedOperationException("reference matmulBackward: not implemented yet");
    }

    @Override
    public void unary(Unary op, Tensor out, Tensor x) {
        throw new UnsupportedOperationException("reference unary: not implemented yet");
    }

    @Override
    public void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) {
        throw new UnsupportedOperationException("reference unaryBackward: not implemented yet");
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("reference add: not implemented yet");
    }

    @Override
    public void addBackward(Tensor da, Tensor db, Tensor dOut) {
        throw new UnsupportedOperationException("reference addBackward: not implemented yet");
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("reference mul: not implemented yet");
    }

    @Override
    public void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("reference mulBackward: not implemented yet");
    }

    @Override
    public void addBias(Tensor out, Tensor x, Tensor bias) {
        throw new UnsupportedOperationException("reference addBias: not implemented yet");
    }

    @Override
    public void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) {
        throw new UnsupportedOperationException("reference addBiasBackward: not implemented yet");
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        throw new UnsupportedOperationException("reference axpy: not implemented yet");
    }

    @Override
    public void scale(Tensor x, float s) {
        throw new UnsupportedOperationException("reference scale: not implemented yet");
    }

    @Override
    public double sumOfSquares(Tensor x) {
        throw new UnsupportedOperationException("reference sumOfSquares: not implemented yet");
    }

    @Override
    public void sliceLastDim(Tensor out, Tensor x, int start) {
        throw new UnsupportedOperationException("reference sliceLastDim: not implemented yet");
    }

    @Override
    public void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        throw new UnsupportedOperationException("reference sliceLastDimBackward: not implemented yet");
    }

    @Override
    public void permute(Tensor out, Tensor x, int... perm) {
        throw new UnsupportedOperationException("reference permute: not implemented yet");
    }

    @Override
    public void permuteBackward(Tensor dx, Tensor dOut, int... perm) {
        throw new UnsupportedOperationException("reference permuteBackward: not implemented yet");
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        throw new UnsupportedOperationException("reference rmsNorm: not implemented yet");
    }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        throw new UnsupportedOperationException("reference rmsNormBackward: not implemented yet");
    }

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        throw new UnsupportedOperationException("reference layerNorm: not implemented yet");
    }

    @Override
    public void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight, Tensor mean, Tensor rstd) {
        throw new UnsupportedOperationException("reference layerNormBackward: not implemented yet");
    }

    @Override
    public void softmax(Tensor out, Tensor x) {
        throw new UnsupportedOperationException("reference softmax: not implemented yet");
    }

    @Override
    public void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        throw new UnsupportedOperationException("reference softmaxBackward: not implemented yet");
    }

    @Override
    public void logSoftmax(Tensor out, Tensor x) {
        throw new UnsupportedOperationException("reference logSoftmax: not implemented yet");
    }

    @Override
    public void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        throw new UnsupportedOperationException("reference logSoftmaxBackward: not implemented yet");
    }

    @Override
    public void dropout(Tensor out, Tensor x, float p, long seed) {
        throw new UnsupportedOperationException("reference dropout: not implemented yet");
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) {
        throw new UnsupportedOperationException("reference dropoutBackward: not implemented yet");
    }

    @Override
    public void embedding(Tensor out, Tensor ids, Tensor table) {
        throw new UnsupportedOperationException("reference embedding: not implemented yet");
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        throw new UnsupportedOperationException("reference embeddingBackward: not implemented yet");
    }

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        throw new UnsupportedOperationException("reference conv2d: not implemented yet");
    }

    @Override
    public void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        throw new UnsupportedOperationException("reference conv2dBackward: not implemented yet");
    }

    @Override
    public void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) {
        throw new UnsupportedOperationException("reference causalConv1d: not implemented yet");
    }

    @Override
    public void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        throw new UnsupportedOperationException("reference causalConv1dBackward: not implemented yet");
    }

    @Override
    public Tensor selectiveScan(Tensor out, ScanInputs in) {
        throw new UnsupportedOperationException("reference selectiveScan: not implemented yet");
    }

    @Override
    public void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        throw new UnsupportedOperationException("reference selectiveScanBackward: not implemented yet");
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        throw new UnsupportedOperationException("reference attention: not implemented yet");
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionMask mask, float scale) {
        throw new UnsupportedOperationException("reference attentionBackward: not implemented yet");
    }

    @Override
    public void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        throw new UnsupportedOperationException("reference ctcLoss: not implemented yet");
    }

    @Override
    public void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        throw new UnsupportedOperationException("reference ctcLossBackward: not implemented yet");
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        throw new UnsupportedOperationException("reference crossEntropy: not implemented yet");
    }

    @Override
    public void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        throw new UnsupportedOperationException("reference crossEntropyBackward: not implemented yet");
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        throw new UnsupportedOperationException("reference adamStep: not implemented yet");
    }
}
