package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/** Argument checks of the 2-D convolution and the causal depthwise 1-D convolution, shared by every backend. */
public final class ConvChecks {
    private ConvChecks() { }

    /** Sizes of one 2-D convolution: x (B, Ci, H, W), w (Co, Ci, Kh, Kw), out (B, Co, Ho, Wo). */
    public record Conv2dDims(int batch, int inChannels, int height, int width, int outChannels, int kernelH,
                             int kernelW, int outHeight, int outWidth) { }

    /** Sizes of one causal depthwise 1-D convolution: x (B, T, C), w (C, K). */
    public record Conv1dDims(int batch, int time, int channels, int taps) { }

    /** Checks out (B, Co, Ho, Wo), x, w, all F32, the optional bias (Co), stride and padding. */
    public static Conv2dDims conv2d(String op, Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "x", x);
        Checks.f32(op, "w", w);
        Conv2dDims d = resolve2d(op, x, w, bias, stride, padding);
        Checks.shape(op, "out", out, d.batch(), d.outChannels(), d.outHeight(), d.outWidth());
        return d;
    }

    /** Checks dOut (B, Co, Ho, Wo), x, w, stride and padding, and the optional dx, dw like x, w and dBias (Co). */
    public static Conv2dDims conv2dBackward(String op, Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x,
                                            Tensor w, int stride, int padding) {
        Checks.f32(op, "dOut", dOut);
        Checks.f32(op, "x", x);
        Checks.f32(op, "w", w);
        Conv2dDims d = resolve2d(op, x, w, null, stride, padding);
        Checks.shape(op, "dOut", dOut, d.batch(), d.outChannels(), d.outHeight(), d.outWidth());
        Checks.gradLike(op, "dx", dx, "x", x);
        Checks.gradLike(op, "dw", dw, "w", w);
        if (dBias != null) {
            Checks.f32(op, "dBias", dBias);
            Checks.shape(op, "dBias", dBias, d.outChannels());
        }
        return d;
    }

    /** Output size of one spatial axis. */
    public static int outputSize(int size, int kernel, int stride, int padding) {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    private static Conv2dDims resolve2d(String op, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        Checks.shape(op, "x", x, Checks.ANY, Checks.ANY, Checks.ANY, Checks.ANY);
        Checks.shape(op, "w", w, Checks.ANY, x.dim(1), Checks.ANY, Checks.ANY);
        if (bias != null) {
            Checks.f32(op, "bias", bias);
            Checks.shape(op, "bias", bias, w.dim(0));
        }
        if (stride < 1) throw Checks.error(op, "stride must be >= 1, got " + stride);
        if (padding < 0) throw Checks.error(op, "padding must be >= 0, got " + padding);
        int height = x.dim(2);
        int width = x.dim(3);
        int kernelH = w.dim(2);
        int kernelW = w.dim(3);
        if (kernelH < 1 || kernelW < 1 || height + 2 * padding < kernelH || width + 2 * padding < kernelW) {
            throw Checks.error(op, "kernel of w " + w.shape() + " does not fit x " + x.shape() + " with padding "
                    + padding);
        }
        return new Conv2dDims(x.dim(0), x.dim(1), height, width, w.dim(0), kernelH, kernelW,
                outputSize(height, kernelH, stride, padding), outputSize(width, kernelW, stride, padding));
    }

    /** Checks out like x (B, T, C), w (C, K) with K &gt;= 1 and the optional bias (C), all F32. */
    public static Conv1dDims causalConv1d(String op, Tensor out, Tensor x, Tensor w, Tensor bias) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "x", x);
        Checks.f32(op, "w", w);
        Conv1dDims d = resolve1d(op, x, w);
        if (bias != null) {
            Checks.f32(op, "bias", bias);
            Checks.shape(op, "bias", bias, d.channels());
        }
        Checks.sameShape(op, "out", out, "x", x);
        return d;
    }

    /** Checks dOut like x (B, T, C), w (C, K), and the optional dx, dw like x, w and dBias (C). */
    public static Conv1dDims causalConv1dBackward(String op, Tensor dx, Tensor dw, Tensor dBias, Tensor dOut,
                                                  Tensor x, Tensor w) {
        Checks.f32(op, "dOut", dOut);
        Checks.f32(op, "x", x);
        Checks.f32(op, "w", w);
        Conv1dDims d = resolve1d(op, x, w);
        Checks.sameShape(op, "dOut", dOut, "x", x);
        Checks.gradLike(op, "dx", dx, "x", x);
        Checks.gradLike(op, "dw", dw, "w", w);
        if (dBias != null) {
            Checks.f32(op, "dBias", dBias);
            Checks.shape(op, "dBias", dBias, d.channels());
        }
        return d;
    }

    private static Conv1dDims resolve1d(String op, Tensor x, Tensor w) {
        Checks.shape(op, "x", x, Checks.ANY, Checks.ANY, Checks.ANY);
        Checks.shape(op, "w", w, x.dim(2), Checks.ANY);
        if (w.dim(1) < 1) throw Checks.error(op, "w " + w.shape() + " needs a kernel width >= 1");
        return new Conv1dDims(x.dim(0), x.dim(1), x.dim(2), w.dim(1));
    }
}
