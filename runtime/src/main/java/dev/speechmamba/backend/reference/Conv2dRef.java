package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.ConvChecks;

/**
 * Direct 2-D convolution (cross-correlation, as PyTorch) with the same stride and zero padding on
 * both spatial axes, in float64. x: (B, Ci, H, W); w: (Co, Ci, Kh, Kw); bias: (Co) or null;
 * out: (B, Co, Ho, Wo).
 */
final class Conv2dRef {
    private Conv2dRef() { }

    static int outputSize(int size, int kernel, int stride, int padding) {
        return ConvChecks.outputSize(size, kernel, stride, padding);
    }

    static void forward(double[] out, double[] x, double[] w, double[] bias, int batch, int inChannels,
                        int height, int width, int outChannels, int kernelH, int kernelW, int stride, int padding) {
        int outH = outputSize(height, kernelH, stride, padding);
        int outW = outputSize(width, kernelW, stride, padding);
        for (int b = 0; b < batch; b++) {
            for (int co = 0; co < outChannels; co++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        double sum = bias == null ? 0.0 : bias[co];
                        for (int ci = 0; ci < inChannels; ci++) {
                            for (int kh = 0; kh < kernelH; kh++) {
                                int ih = oh * stride - padding + kh;
                                if (ih < 0 || ih >= height) continue;
                                for (int kw = 0; kw < kernelW; kw++) {
                                    int iw = ow * stride - padding + kw;
                                    if (iw < 0 || iw >= width) continue;
                                    sum += w[((co * inChannels + ci) * kernelH + kh) * kernelW + kw]
                                            * x[((b * inChannels + ci) * height + ih) * width + iw];
                                }
                            }
                        }
                        out[((b * outChannels + co) * outH + oh) * outW + ow] = sum;
                    }
                }
            }
        }
    }

    /** dx += ∂/∂x, dw += ∂/∂w, dBias += Σ dOut over (B, Ho, Wo); each may be null. dOut: (B, Co, Ho, Wo). */
    static void backward(double[] dx, double[] dw, double[] dBias, double[] dOut, double[] x, double[] w,
                         int batch, int inChannels, int height, int width, int outChannels, int kernelH,
                         int kernelW, int stride, int padding) {
        int outH = outputSize(height, kernelH, stride, padding);
        int outW = outputSize(width, kernelW, stride, padding);
        for (int b = 0; b < batch; b++) {
            for (int co = 0; co < outChannels; co++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        double g = dOut[((b * outChannels + co) * outH + oh) * outW + ow];
                        if (dBias != null) dBias[co] += g;
                        for (int ci = 0; ci < inChannels; ci++) {
                            for (int kh = 0; kh < kernelH; kh++) {
                                int ih = oh * stride - padding + kh;
                                if (ih < 0 || ih >= height) continue;
                                for (int kw = 0; kw < kernelW; kw++) {
                                    int iw = ow * stride - padding + kw;
                                    if (iw < 0 || iw >= width) continue;
                                    int wIndex = ((co * inChannels + ci) * kernelH + kh) * kernelW + kw;
                                    int xIndex = ((b * inChannels + ci) * height + ih) * width + iw;
                                    if (dx != null) dx[xIndex] += g * w[wIndex];
                                    if (dw != null) dw[wIndex] += g * x[xIndex];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
