package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.AttentionChecks;
import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.ConvChecks;
import dev.speechmamba.backend.ElementwiseChecks;
import dev.speechmamba.backend.LayoutChecks;
import dev.speechmamba.backend.LossChecks;
import dev.speechmamba.backend.MatmulChecks;
import dev.speechmamba.backend.NormChecks;
import dev.speechmamba.backend.ScanChecks;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.HostTensors;
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
    public Tensor zeros(DType dtype, int... dims) { return HostTensors.zeros("reference", dtype, dims); }

    @Override
    public Tensor fromHost(float[] data, int... dims) { return Tensor.ofFloats(data.clone(), dims); }

    @Override
    public Tensor fromHostInts(int[] data, int... dims) { return Tensor.ofInts(data.clone(), dims); }

    @Override
    public float[] toHost(Tensor t) { return HostTensors.floatsCopy("toHost", t); }

    @Override
    public int[] toHostInts(Tensor t) { return HostArrays.toInts(t); }

    @Override
    public void copy(Tensor dst, Tensor src) {
        Checks.copyable("copy", dst, src);
        HostTensors.copy("copy", dst, src);
    }

    @Override
    public void fill(Tensor t, float value) {
        float[] f = HostArrays.host("fill", t).floats();
        int off = Math.toIntExact(t.offset());
        java.util.Arrays.fill(f, off, off + Math.toIntExact(t.size()), value);
    }

    @Override
    public void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        MatmulChecks.Dims d = MatmulChecks.matmul("matmul", out, a, transA, b, transB);
        double[] outValues = HostArrays.toDouble(out); // (Bo, M, N) or (M, N); read for beta
        MatmulRef.forward(outValues, HostArrays.toDouble(a), transA, HostArrays.toDouble(b), transB, alpha, beta,
                d.batch(), d.m(), d.n(), d.k(), d.aBatched(), d.bBatched(), d.outBatched());
        HostArrays.store(out, outValues);
    }

    @Override
    public void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        MatmulChecks.Dims d = MatmulChecks.matmulBackward("matmulBackward", da, db, dOut, a, transA, b, transB);
        double[] daValues = HostArrays.toDouble(da);
        double[] dbValues = HostArrays.toDouble(db);
        MatmulRef.backward(daValues, dbValues, HostArrays.toDouble(dOut), HostArrays.toDouble(a), transA,
                HostArrays.toDouble(b), transB, d.batch(), d.m(), d.n(), d.k(), d.aBatched(), d.bBatched(),
                d.outBatched());
        HostArrays.store(da, daValues);
        HostArrays.store(db, dbValues);
    }

    @Override
    public void unary(Unary op, Tensor out, Tensor x) {
        ElementwiseChecks.unary("unary", op, out, x);
        double[] outValues = new double[Math.toIntExact(x.size())];
        ElementwiseRef.unaryForward(op, outValues, HostArrays.toDouble(x), outValues.length);
        HostArrays.store(out, outValues);
    }

    @Override
    public void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x) {
        ElementwiseChecks.unaryBackward("unaryBackward", op, dx, dOut, x);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx);
        ElementwiseRef.unaryBackward(op, dxValues, HostArrays.toDouble(dOut), HostArrays.toDouble(x), dxValues.length);
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        ElementwiseChecks.binary("add", out, a, b);
        double[] outValues = new double[Math.toIntExact(a.size())];
        ElementwiseRef.addForward(outValues, HostArrays.toDouble(a), HostArrays.toDouble(b), outValues.length);
        HostArrays.store(out, outValues);
    }

    @Override
    public void addBackward(Tensor da, Tensor db, Tensor dOut) {
        ElementwiseChecks.addBackward("addBackward", da, db, dOut);
        double[] daValues = HostArrays.toDouble(da);
        double[] dbValues = HostArrays.toDouble(db);
        ElementwiseRef.addBackward(daValues, dbValues, HostArrays.toDouble(dOut), Math.toIntExact(dOut.size()));
        HostArrays.store(da, daValues);
        HostArrays.store(db, dbValues);
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        ElementwiseChecks.binary("mul", out, a, b);
        double[] outValues = new double[Math.toIntExact(a.size())];
        ElementwiseRef.mulForward(outValues, HostArrays.toDouble(a), HostArrays.toDouble(b), outValues.length);
        HostArrays.store(out, outValues);
    }

    @Override
    public void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        ElementwiseChecks.mulBackward("mulBackward", da, db, dOut, a, b);
        double[] daValues = HostArrays.toDouble(da);
        double[] dbValues = HostArrays.toDouble(db);
        ElementwiseRef.mulBackward(daValues, dbValues, HostArrays.toDouble(dOut), HostArrays.toDouble(a),
                HostArrays.toDouble(b), Math.toIntExact(dOut.size()));
        HostArrays.store(da, daValues);
        HostArrays.store(db, dbValues);
    }

    @Override
    public void addBias(Tensor out, Tensor x, Tensor bias) {
        int channels = ElementwiseChecks.addBias("addBias", out, x, bias);
        int rows = x.shape().rows();
        double[] outValues = new double[Math.toIntExact(x.size())]; // (rows, C)
        ElementwiseRef.addBiasForward(outValues, HostArrays.toDouble(x), HostArrays.toDouble(bias), rows, channels);
        HostArrays.store(out, outValues);
    }

    @Override
    public void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut) {
        int channels = ElementwiseChecks.addBiasBackward("addBiasBackward", dx, dBias, dOut);
        double[] dxValues = HostArrays.toDouble(dx);     // (rows, C)
        double[] dBiasValues = HostArrays.toDouble(dBias); // (C)
        ElementwiseRef.addBiasBackward(dxValues, dBiasValues, HostArrays.toDouble(dOut), dOut.shape().rows(), channels);
        HostArrays.store(dx, dxValues);
        HostArrays.store(dBias, dBiasValues);
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        ElementwiseChecks.axpy("axpy", y, x);
        double[] yValues = HostArrays.toDouble(y);
        ElementwiseRef.axpy(yValues, alpha, HostArrays.toDouble(x), yValues.length);
        HostArrays.store(y, yValues);
    }

    @Override
    public void scale(Tensor x, float s) {
        Checks.f32("scale", "x", x);
        double[] values = HostArrays.toDouble(x);
        ElementwiseRef.scale(values, s, values.length);
        HostArrays.store(x, values);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        Checks.f32("sumOfSquares", "x", x);
        double[] values = HostArrays.toDouble(x);
        return ElementwiseRef.sumOfSquares(values, values.length);
    }

    @Override
    public void sliceLastDim(Tensor out, Tensor x, int start) {
        LayoutChecks.sliceLastDim("sliceLastDim", out, x, start);
        double[] outValues = new double[Math.toIntExact(out.size())]; // (rows, Co)
        LayoutRef.sliceForward(outValues, HostArrays.toDouble(x), out.shape().rows(), x.dim(-1), out.dim(-1), start);
        HostArrays.store(out, outValues);
    }

    @Override
    public void sliceLastDimBackward(Tensor dx, Tensor dOut, int start) {
        LayoutChecks.sliceLastDimBackward("sliceLastDimBackward", dx, dOut, start);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx); // (rows, Cx)
        LayoutRef.sliceBackward(dxValues, HostArrays.toDouble(dOut), dOut.shape().rows(), dx.dim(-1), dOut.dim(-1), start);
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void permute(Tensor out, Tensor x, int... perm) {
        LayoutChecks.permute("permute", out, x, perm);
        double[] outValues = new double[Math.toIntExact(out.size())];
        LayoutRef.permuteForward(outValues, HostArrays.toDouble(x), x.shape().dims(), perm);
        HostArrays.store(out, outValues);
    }

    @Override
    public void permuteBackward(Tensor dx, Tensor dOut, int... perm) {
        LayoutChecks.permuteBackward("permuteBackward", dx, dOut, perm);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx);
        LayoutRef.permuteBackward(dxValues, HostArrays.toDouble(dOut), dx.shape().dims(), perm);
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        NormChecks.Rows shape = NormChecks.rmsNorm("rmsNorm", out, rstd, x, weight, eps);
        int rows = shape.rows();
        int cols = shape.cols();
        double[] outValues = new double[rows * cols]; // (R, C)
        double[] rstdValues = new double[rows];       // (R)
        NormRef.rmsForward(outValues, rstdValues, HostArrays.toDouble(x), HostArrays.toDouble(weight), eps, rows, cols);
        HostArrays.store(out, outValues);
        HostArrays.store(rstd, rstdValues);
    }

    @Override
    public void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        NormChecks.rmsNormBackward("rmsNormBackward", dx, dWeight, dOut, x, weight, rstd);
        double[] dxValues = HostArrays.toDouble(dx);
        double[] dWeightValues = HostArrays.toDouble(dWeight);
        NormRef.rmsBackward(dxValues, dWeightValues, HostArrays.toDouble(dOut), HostArrays.toDouble(x),
                HostArrays.toDouble(weight), HostArrays.toDouble(rstd), x.shape().rows(), x.dim(-1));
        HostArrays.store(dx, dxValues);
        HostArrays.store(dWeight, dWeightValues);
    }

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        NormChecks.Rows shape = NormChecks.layerNorm("layerNorm", out, mean, rstd, x, weight, bias, eps);
        int rows = shape.rows();
        int cols = shape.cols();
        double[] outValues = new double[rows * cols]; // (R, C)
        double[] meanValues = new double[rows];       // (R)
        double[] rstdValues = new double[rows];       // (R)
        NormRef.layerForward(outValues, meanValues, rstdValues, HostArrays.toDouble(x), HostArrays.toDouble(weight),
                HostArrays.toDouble(bias), eps, rows, cols);
        HostArrays.store(out, outValues);
        HostArrays.store(mean, meanValues);
        HostArrays.store(rstd, rstdValues);
    }

    @Override
    public void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight, Tensor mean, Tensor rstd) {
        NormChecks.layerNormBackward("layerNormBackward", dx, dWeight, dBias, dOut, x, weight, mean, rstd);
        double[] dxValues = HostArrays.toDouble(dx);
        double[] dWeightValues = HostArrays.toDouble(dWeight);
        double[] dBiasValues = HostArrays.toDouble(dBias);
        NormRef.layerBackward(dxValues, dWeightValues, dBiasValues, HostArrays.toDouble(dOut), HostArrays.toDouble(x),
                HostArrays.toDouble(weight), HostArrays.toDouble(mean), HostArrays.toDouble(rstd), x.shape().rows(),
                x.dim(-1));
        HostArrays.store(dx, dxValues);
        HostArrays.store(dWeight, dWeightValues);
        HostArrays.store(dBias, dBiasValues);
    }

    @Override
    public void softmax(Tensor out, Tensor x) {
        NormChecks.softmax("softmax", out, x);
        double[] outValues = new double[Math.toIntExact(x.size())]; // (rows, C)
        SoftmaxRef.softmaxForward(outValues, HostArrays.toDouble(x), x.shape().rows(), x.dim(-1));
        HostArrays.store(out, outValues);
    }

    @Override
    public void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        NormChecks.softmaxBackward("softmaxBackward", dx, dOut, out);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx);
        SoftmaxRef.softmaxBackward(dxValues, HostArrays.toDouble(dOut), HostArrays.toDouble(out), out.shape().rows(), out.dim(-1));
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void logSoftmax(Tensor out, Tensor x) {
        NormChecks.softmax("logSoftmax", out, x);
        double[] outValues = new double[Math.toIntExact(x.size())]; // (rows, C)
        SoftmaxRef.logSoftmaxForward(outValues, HostArrays.toDouble(x), x.shape().rows(), x.dim(-1));
        HostArrays.store(out, outValues);
    }

    @Override
    public void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        NormChecks.softmaxBackward("logSoftmaxBackward", dx, dOut, out);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx);
        SoftmaxRef.logSoftmaxBackward(dxValues, HostArrays.toDouble(dOut), HostArrays.toDouble(out), out.shape().rows(), out.dim(-1));
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void dropout(Tensor out, Tensor x, float p, long seed) {
        ElementwiseChecks.dropout("dropout", out, x, p);
        double[] outValues = new double[Math.toIntExact(x.size())];
        DropoutRef.forward(outValues, HostArrays.toDouble(x), p, seed, outValues.length);
        HostArrays.store(out, outValues);
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed) {
        ElementwiseChecks.dropoutBackward("dropoutBackward", dx, dOut, p);
        if (dx == null) return;
        double[] dxValues = HostArrays.toDouble(dx);
        DropoutRef.backward(dxValues, HostArrays.toDouble(dOut), p, seed, dxValues.length);
        HostArrays.store(dx, dxValues);
    }

    @Override
    public void embedding(Tensor out, Tensor ids, Tensor table) {
        LayoutChecks.EmbeddingDims dims = LayoutChecks.embedding("embedding", out, ids, table, HostArrays::toInts);
        int count = dims.count(), vocab = dims.vocab(), channels = dims.channels();
        double[] outValues = new double[count * channels]; // (N, C)
        EmbeddingRef.forward(outValues, dims.ids(), HostArrays.toDouble(table), count, vocab, channels);
        HostArrays.store(out, outValues);
    }

    @Override
    public void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids) {
        LayoutChecks.EmbeddingDims dims =
                LayoutChecks.embeddingBackward("embeddingBackward", dTable, dOut, ids, HostArrays::toInts);
        if (dims == null) return;
        int count = dims.count(), vocab = dims.vocab(), channels = dims.channels();
        double[] dTableValues = HostArrays.toDouble(dTable); // (V, C)
        EmbeddingRef.backward(dTableValues, HostArrays.toDouble(dOut), dims.ids(), count, vocab, channels);
        HostArrays.store(dTable, dTableValues);
    }

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        ConvChecks.Conv2dDims d = ConvChecks.conv2d("conv2d", out, x, w, bias, stride, padding);
        double[] outValues = new double[Math.toIntExact(out.size())]; // (B, Co, Ho, Wo)
        Conv2dRef.forward(outValues, HostArrays.toDouble(x), HostArrays.toDouble(w), HostArrays.toDouble(bias),
                d.batch(), d.inChannels(), d.height(), d.width(), d.outChannels(), d.kernelH(), d.kernelW(), stride,
                padding);
        HostArrays.store(out, outValues);
    }

    @Override
    public void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        ConvChecks.Conv2dDims d =
                ConvChecks.conv2dBackward("conv2dBackward", dx, dw, dBias, dOut, x, w, stride, padding);
        double[] dxValues = HostArrays.toDouble(dx);
        double[] dwValues = HostArrays.toDouble(dw);
        double[] dBiasValues = HostArrays.toDouble(dBias);
        Conv2dRef.backward(dxValues, dwValues, dBiasValues, HostArrays.toDouble(dOut), HostArrays.toDouble(x),
                HostArrays.toDouble(w), d.batch(), d.inChannels(), d.height(), d.width(), d.outChannels(), d.kernelH(),
                d.kernelW(), stride, padding);
        HostArrays.store(dx, dxValues);
        HostArrays.store(dw, dwValues);
        HostArrays.store(dBias, dBiasValues);
    }

    @Override
    public void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) {
        ConvChecks.Conv1dDims d = ConvChecks.causalConv1d("causalConv1d", out, x, w, bias);
        int channels = d.channels();
        double[] outValues = new double[Math.toIntExact(x.size())]; // (B, T, C)
        Conv1dRef.forward(outValues, HostArrays.toDouble(x), HostArrays.toDouble(w), HostArrays.toDouble(bias),
                x.dim(0), x.dim(1), channels, w.dim(1));
        HostArrays.store(out, outValues);
    }

    @Override
    public void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        ConvChecks.Conv1dDims d = ConvChecks.causalConv1dBackward("causalConv1dBackward", dx, dw, dBias, dOut, x, w);
        int channels = d.channels();
        double[] dxValues = HostArrays.toDouble(dx);
        double[] dwValues = HostArrays.toDouble(dw);
        double[] dBiasValues = HostArrays.toDouble(dBias);
        Conv1dRef.backward(dxValues, dwValues, dBiasValues, HostArrays.toDouble(dOut), HostArrays.toDouble(x),
                HostArrays.toDouble(w), x.dim(0), x.dim(1), channels, w.dim(1));
        HostArrays.store(dx, dxValues);
        HostArrays.store(dw, dwValues);
        HostArrays.store(dBias, dBiasValues);
    }

    @Override
    public Tensor selectiveScan(Tensor out, ScanInputs in) {
        String op = "selectiveScan";
        ScanChecks.Dims dims = ScanChecks.inputs(op, in, HostArrays::toInts);
        ScanChecks.output(op, out, in);
        int B = dims.batch(), T = dims.time(), D = dims.channels(), N = dims.states();
        double[] result = new double[B * T * D]; // (B, T, D)
        SelectiveScanRef.forward(result, HostArrays.toDouble(in.u()), HostArrays.toDouble(in.delta()),
                HostArrays.toDouble(in.a()), HostArrays.toDouble(in.b()), HostArrays.toDouble(in.c()),
                HostArrays.toDouble(in.dSkip()), HostArrays.toDouble(in.z()), HostArrays.toDouble(in.deltaBias()),
                in.deltaSoftplus(), HostArrays.toInts(in.lengths()), B, T, D, N);
        HostArrays.store(out, result);
        return null; // the backward pass recomputes the states
    }

    @Override
    public void selectiveScanStep(Tensor out, Tensor state, ScanInputs in) {
        ScanChecks.Dims dims = ScanChecks.step("selectiveScanStep", out, state, in, HostArrays::toInts);
        int B = dims.batch(), D = dims.channels(), N = dims.states();
        double[] result = new double[B * D];               // (B, 1, D)
        double[] h = HostArrays.toDouble(state);           // (B, D, N)
        SelectiveScanRef.step(result, h, HostArrays.toDouble(in.u()), HostArrays.toDouble(in.delta()),
                HostArrays.toDouble(in.a()), HostArrays.toDouble(in.b()), HostArrays.toDouble(in.c()),
                HostArrays.toDouble(in.dSkip()), HostArrays.toDouble(in.z()), HostArrays.toDouble(in.deltaBias()),
                in.deltaSoftplus(), B, D, N);
        HostArrays.store(out, result);
        HostArrays.store(state, h);
    }

    @Override
    public void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved) {
        String op = "selectiveScanBackward";
        ScanChecks.Dims dims = ScanChecks.inputs(op, in, HostArrays::toInts);
        ScanChecks.grads(op, grads, dOut, in);
        if (saved != null) {
            throw new IllegalArgumentException(op + ": the reference backend saves nothing, but got saved "
                    + saved.shape() + " (from another backend?)");
        }
        int B = dims.batch(), T = dims.time(), D = dims.channels(), N = dims.states();
        // Gradients are read, accumulated into by the Ref loop, and stored back.
        double[] du = HostArrays.toDouble(grads.du());                 // (B, T, D)
        double[] dDelta = HostArrays.toDouble(grads.dDelta());         // (B, T, D)
        double[] dA = HostArrays.toDouble(grads.dA());                 // (D, N)
        double[] dB = HostArrays.toDouble(grads.dB());                 // (B, T, N)
        double[] dC = HostArrays.toDouble(grads.dC());                 // (B, T, N)
        double[] dSkip = HostArrays.toDouble(grads.dSkip());           // (D)
        double[] dz = HostArrays.toDouble(grads.dz());                 // (B, T, D)
        double[] dDeltaBias = HostArrays.toDouble(grads.dDeltaBias()); // (D)
        SelectiveScanRef.backward(du, dDelta, dA, dB, dC, dSkip, dz, dDeltaBias, HostArrays.toDouble(dOut),
                HostArrays.toDouble(in.u()), HostArrays.toDouble(in.delta()), HostArrays.toDouble(in.a()),
                HostArrays.toDouble(in.b()), HostArrays.toDouble(in.c()), HostArrays.toDouble(in.dSkip()),
                HostArrays.toDouble(in.z()), HostArrays.toDouble(in.deltaBias()), in.deltaSoftplus(),
                HostArrays.toInts(in.lengths()), B, T, D, N);
        HostArrays.store(grads.du(), du);
        HostArrays.store(grads.dDelta(), dDelta);
        HostArrays.store(grads.dA(), dA);
        HostArrays.store(grads.dB(), dB);
        HostArrays.store(grads.dC(), dC);
        HostArrays.store(grads.dSkip(), dSkip);
        HostArrays.store(grads.dz(), dz);
        HostArrays.store(grads.dDeltaBias(), dDeltaBias);
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        String op = "attention";
        AttentionChecks.Dims dims = AttentionChecks.inputs(op, q, k, v, mask, HostArrays::toInts);
        AttentionChecks.outputs(op, out, lse, q);
        int B = dims.batch(), Tq = dims.queries(), Tk = dims.keys(), H = dims.heads(), Dh = dims.headDim();
        double[] result = new double[B * Tq * H * Dh]; // (B, Tq, H, Dh)
        double[] logSumExp = new double[B * H * Tq];  // (B, H, Tq)
        AttentionRef.forward(result, logSumExp, HostArrays.toDouble(q), HostArrays.toDouble(k), HostArrays.toDouble(v),
                HostArrays.toInts(mask.keyLengths()), mask, scale, B, Tq, Tk, H, Dh);
        HostArrays.store(out, result);
        HostArrays.store(lse, logSumExp);
    }

    @Override
    public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionMask mask, float scale) {
        String op = "attentionBackward";
        AttentionChecks.Dims dims = AttentionChecks.inputs(op, q, k, v, mask, HostArrays::toInts);
        AttentionChecks.outputs(op, out, lse, q);
        AttentionChecks.grads(op, dq, dk, dv, dOut, q, k, v);
        int B = dims.batch(), Tq = dims.queries(), Tk = dims.keys(), H = dims.heads(), Dh = dims.headDim();
        double[] dqAcc = HostArrays.toDouble(dq); // (B, Tq, H, Dh)
        double[] dkAcc = HostArrays.toDouble(dk); // (B, Tk, H, Dh)
        double[] dvAcc = HostArrays.toDouble(dv); // (B, Tk, H, Dh)
        AttentionRef.backward(dqAcc, dkAcc, dvAcc, HostArrays.toDouble(dOut), HostArrays.toDouble(q),
                HostArrays.toDouble(k), HostArrays.toDouble(v), HostArrays.toDouble(out), HostArrays.toDouble(lse),
                HostArrays.toInts(mask.keyLengths()), mask, scale, B, Tq, Tk, H, Dh);
        HostArrays.store(dq, dqAcc);
        HostArrays.store(dk, dkAcc);
        HostArrays.store(dv, dvAcc);
    }

    @Override
    public void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        String op = "ctcLoss";
        LossChecks.CtcDims dims = LossChecks.ctcInputs(op, logits, inputLengths, targets, targetLengths,
                HostArrays::toInts);
        int B = dims.batch(), T = dims.time(), V = dims.vocab(), S = dims.maxTarget();
        LossChecks.perRow(op, "losses", losses, B);
        double[] result = new double[B]; // (B)
        CtcLossRef.forward(result, HostArrays.toDouble(logits), HostArrays.toInts(inputLengths),
                HostArrays.toInts(targets), HostArrays.toInts(targetLengths), zeroInfinity, B, T, V, S);
        HostArrays.store(losses, result);
    }

    @Override
    public void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths, boolean zeroInfinity) {
        String op = "ctcLossBackward";
        LossChecks.CtcDims dims = LossChecks.ctcInputs(op, logits, inputLengths, targets, targetLengths,
                HostArrays::toInts);
        int B = dims.batch(), T = dims.time(), V = dims.vocab(), S = dims.maxTarget();
        LossChecks.perRow(op, "dLosses", dLosses, B);
        LossChecks.logitsGrad(op, dLogits, logits);
        if (dLogits == null) return;
        double[] grad = HostArrays.toDouble(dLogits); // (B, T, V)
        CtcLossRef.backward(grad, HostArrays.toDouble(dLosses), HostArrays.toDouble(logits),
                HostArrays.toInts(inputLengths), HostArrays.toInts(targets), HostArrays.toInts(targetLengths),
                zeroInfinity, B, T, V, S);
        HostArrays.store(dLogits, grad);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        String op = "crossEntropy";
        LossChecks.CrossEntropyDims dims =
                LossChecks.crossEntropyInputs(op, logits, targets, smoothing, ignoreIndex, HostArrays::toInts);
        int N = dims.rows(), V = dims.vocab();
        LossChecks.perRow(op, "losses", losses, N);
        double[] result = new double[N]; // (N)
        CrossEntropyRef.forward(result, HostArrays.toDouble(logits), HostArrays.toInts(targets), smoothing,
                ignoreIndex, N, V);
        HostArrays.store(losses, result);
    }

    @Override
    public void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        String op = "crossEntropyBackward";
        LossChecks.CrossEntropyDims dims =
                LossChecks.crossEntropyInputs(op, logits, targets, smoothing, ignoreIndex, HostArrays::toInts);
        int N = dims.rows(), V = dims.vocab();
        LossChecks.perRow(op, "dLosses", dLosses, N);
        LossChecks.logitsGrad(op, dLogits, logits);
        if (dLogits == null) return;
        double[] grad = HostArrays.toDouble(dLogits); // (N, V)
        CrossEntropyRef.backward(grad, HostArrays.toDouble(dLosses), HostArrays.toDouble(logits),
                HostArrays.toInts(targets), smoothing, ignoreIndex, N, V);
        HostArrays.store(dLogits, grad);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        ElementwiseChecks.adamStep("adamStep", param, grad, m, v, beta1, beta2, step);
        double[] paramValues = HostArrays.toDouble(param);
        double[] mValues = HostArrays.toDouble(m);
        double[] vValues = HostArrays.toDouble(v);
        AdamRef.step(paramValues, HostArrays.toDouble(grad), mValues, vValues, lr, beta1, beta2, eps, weightDecay,
                step, paramValues.length);
        HostArrays.store(param, paramValues);
        HostArrays.store(m, mValues);
        HostArrays.store(v, vValues);
    }
}
