package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Speech-Mamba's front end: three conv2d blocks over (time, frequency) with C channels, kernels
 * 5, 5, 1 and strides 2, 2, 1 (padding 2, 2, 0), ReLU after each conv, a residual connection on the
 * third block only; then (B, C, T/4, F/4) → (B, T/4, C·F/4) → Linear(C·F/4 → d), sinusoidal positions
 * added, dropout.
 *
 * <p>Padding: features past a row's length must be zero (the model zeroes them), and the first
 * block's output is zeroed past the row's subsampled length, so every row's valid outputs equal those
 * of the row run alone. (Only the second block reads across the boundary; the third is 1×1.)
 */
public final class ConvFrontEnd {
    static final int KERNEL = 5, STRIDE = 2, PADDING = 2;

    private final int channels, featureDim, d;
    private final Parameter conv1W, conv1B;   // (C, 1, 5, 5), (C)
    private final Parameter conv2W, conv2B;   // (C, C, 5, 5), (C)
    private final Parameter conv3W, conv3B;   // (C, C, 1, 1), (C)
    private final Linear projection;          // C·F/4 → d
    private final float dropout;

    public ConvFrontEnd(ParameterSet params, String prefix, int featureDim, int channels, int d, float dropout,
                        SplittableRandom rng) {
        this.channels = channels;
        this.featureDim = featureDim;
        this.d = d;
        this.dropout = dropout;
        double b1 = 1 / Math.sqrt(KERNEL * KERNEL), b2 = 1 / Math.sqrt(channels * KERNEL * KERNEL), b3 = 1 / Math.sqrt(channels);
        conv1W = params.add(prefix + "conv1.weight", Init.uniform(rng, channels * KERNEL * KERNEL, b1), channels, 1, KERNEL, KERNEL);
        conv1B = params.add(prefix + "conv1.bias", Init.uniform(rng, channels, b1), channels);
        conv2W = params.add(prefix + "conv2.weight", Init.uniform(rng, channels * channels * KERNEL * KERNEL, b2), channels,
                channels, KERNEL, KERNEL);
        conv2B = params.add(prefix + "conv2.bias", Init.uniform(rng, channels, b2), channels);
        conv3W = params.add(prefix + "conv3.weight", Init.uniform(rng, channels * channels, b3), channels, channels, 1, 1);
        conv3B = params.add(prefix + "conv3.bias", Init.uniform(rng, channels, b3), channels);
        int f4 = strided(strided(featureDim));
        projection = new Linear(params, prefix + "out.", channels * f4, d, true, rng);
    }

    /** Output length of one stride-2 block (kernel 5, padding 2): ceil(n / 2). */
    public static int strided(int n) {
        if (n < 1) throw new IllegalArgumentException("front end: length must be >= 1, got " + n);
        return (n + 2 * PADDING - KERNEL) / STRIDE + 1;
    }

    /** Frames after the front end for {@code frames} input frames (4× subsampling). */
    public static int outputFrames(int frames) { return strided(strided(frames)); }

    public record Activations(Tensor input, Tensor conv1, Tensor relu1, Tensor mask1, Tensor masked1, Tensor conv2,
                              Tensor relu2, Tensor conv3, Tensor relu3, Tensor flat, float p, long seed, Tensor out) { }

    /**
     * @param features     (B, T, F) with zeros past each row's length
     * @param frameLengths valid frames per row
     * @return activations; out is (B, T'', d) with T'' = {@link #outputFrames}(T)
     */
    public Activations forward(TensorArena arena, Tensor features, int[] frameLengths, boolean training, long seed) {
        Backend be = arena.backend();
        int batch = features.dim(0), time = features.dim(1);
        if (features.dim(2) != featureDim) {
            throw new IllegalArgumentException("front end: features have " + features.dim(2) + " bins, model expects "
                    + featureDim);
        }
        int t1 = strided(time), f1 = strided(featureDim), t2 = strided(t1), f2 = strided(f1), c = channels;
        Tensor x = features.reshape(batch, 1, time, featureDim);                    // (B, 1, T, F)
        Tensor conv1 = arena.zeros(batch, c, t1, f1);                              // (B, C, T1, F1)
        be.conv2d(conv1, x, conv1W.value(), conv1B.value(), STRIDE, PADDING);
        Tensor relu1 = arena.zeros(batch, c, t1, f1);
        be.unary(Unary.RELU, relu1, conv1);
        Tensor mask1 = null, masked1 = relu1;
        boolean ragged = false;
        for (int len : frameLengths) ragged |= strided(len) < t1;
        if (ragged) {
            // (B, C, T1·F1) mask = ones(C, 1) · rowMask(B, 1, T1·F1): one small upload instead of a full-size one.
            float[] rowMask = new float[batch * t1 * f1];
            for (int b = 0; b < batch; b++) Arrays.fill(rowMask, b * t1 * f1, b * t1 * f1 + strided(frameLengths[b]) * f1, 1f);
            Tensor rows = arena.floats(rowMask, batch, 1, t1 * f1);
            Tensor ones = arena.floats(Init.constant(c, 1f), c, 1);
            mask1 = arena.zeros(batch, c, t1, f1);
            be.matmul(mask1.reshape(batch, c, t1 * f1), ones, false, rows, false, 1f, 0f);
            masked1 = arena.zeros(batch, c, t1, f1);
            be.mul(masked1, relu1, mask1);
        }
        Tensor conv2 = arena.zeros(batch, c, t2, f2);                              // (B, C, T2, F2)
        be.conv2d(conv2, masked1, conv2W.value(), conv2B.value(), STRIDE, PADDING);
        Tensor relu2 = arena.zeros(batch, c, t2, f2);
        be.unary(Unary.RELU, relu2, conv2);
        Tensor conv3 = arena.zeros(batch, c, t2, f2);
        be.conv2d(conv3, relu2, conv3W.value(), conv3B.value(), 1, 0);
        Tensor relu3 = arena.zeros(batch, c, t2, f2);
        be.unary(Unary.RELU, relu3, conv3);
        Tensor block3 = arena.zeros(batch, c, t2, f2);
        be.add(block3, relu2, relu3);
        Tensor flat = arena.zeros(batch, t2, c, f2);                               // (B, T2, C, F2)
        be.permute(flat, block3, 0, 2, 1, 3);
        Tensor projected = arena.zeros(batch, t2, d);                              // (B, T2, d)
        projection.forward(be, projected.reshape(batch * t2, d), flat.reshape(batch * t2, c * f2));
        Tensor positions = arena.floats(SinusoidalPositions.table(t2, d), t2 * d);
        float p = training ? dropout : 0f;
        Tensor out = arena.zeros(batch, t2, d);                                    // (B, T2, d)
        if (p > 0) {
            Tensor withPositions = arena.zeros(batch, t2, d);
            be.addBias(withPositions.reshape(batch, t2 * d), projected.reshape(batch, t2 * d), positions);
            be.dropout(out, withPositions, p, seed);
        } else {
            be.addBias(out.reshape(batch, t2 * d), projected.reshape(batch, t2 * d), positions);
        }
        return new Activations(x, conv1, relu1, mask1, masked1, conv2, relu2, conv3, relu3, flat, p, seed, out);
    }

    /** Accumulates the weight gradients from dOut (B, T'', d); features get no gradient. */
    public void backward(TensorArena arena, Tensor dOut, Activations act) {
        Backend be = arena.backend();
        int batch = dOut.dim(0), t2 = dOut.dim(1), c = channels, f2 = act.flat().dim(3);
        Tensor dProjected = dOut;
        if (act.p() > 0) {
            dProjected = arena.zeros(dOut.shape().dims());
            be.dropoutBackward(dProjected, dOut, act.p(), act.seed());
        }
        // Positions are constants: their gradient stops here.
        Tensor dFlat = arena.zeros(batch, t2, c, f2);
        projection.backward(be, dFlat.reshape(batch * t2, c * f2), dProjected.reshape(batch * t2, d),
                act.flat().reshape(batch * t2, c * f2));
        Tensor dBlock3 = arena.zeros(batch, c, t2, f2);
        be.permuteBackward(dBlock3, dFlat, 0, 2, 1, 3);
        Tensor dConv3 = arena.zeros(batch, c, t2, f2);
        be.unaryBackward(Unary.RELU, dConv3, dBlock3, act.conv3());
        Tensor dRelu2 = arena.zeros(batch, c, t2, f2);
        be.axpy(dRelu2, 1f, dBlock3);
        be.conv2dBackward(dRelu2, conv3W.grad(), conv3B.grad(), dConv3, act.relu2(), conv3W.value(), 1, 0);
        Tensor dConv2 = arena.zeros(batch, c, t2, f2);
        be.unaryBackward(Unary.RELU, dConv2, dRelu2, act.conv2());
        Tensor dMasked1 = arena.zeros(act.relu1().shape().dims());
        be.conv2dBackward(dMasked1, conv2W.grad(), conv2B.grad(), dConv2, act.masked1(), conv2W.value(), STRIDE, PADDING);
        Tensor dRelu1 = dMasked1;
        if (act.mask1() != null) {
            dRelu1 = arena.zeros(act.relu1().shape().dims());
            be.mulBackward(dRelu1, null, dMasked1, act.relu1(), act.mask1());
        }
        Tensor dConv1 = arena.zeros(act.conv1().shape().dims());
        be.unaryBackward(Unary.RELU, dConv1, dRelu1, act.conv1());
        be.conv2dBackward(null, conv1W.grad(), conv1B.grad(), dConv1, act.input(), conv1W.value(), STRIDE, PADDING);
    }
}
