package dev.speechmamba.audio;

import java.util.random.RandomGenerator;

/**
 * SpecAugment (Park et al., 2019) on a (frames, dims) feature matrix, applied after CMVN, in ESPnet's order:
 * time warp, then frequency masks, then time masks. Deterministic for a given random generator state.
 * <ul>
 *   <li><b>Time warp</b> ({@code timeWarpWindow} W): pick a centre c uniformly in [W, T - W), a destination
 *       c' uniformly in [c - W, c + W]; stretch frames [0, c) onto [0, c') and [c, T) onto [c', T) by linear
 *       interpolation along time (half-sample aligned; ESPnet uses bicubic). Skipped when T &lt;= 2W, like ESPnet.</li>
 *   <li><b>Frequency masks</b>: {@code freqMasks} times, a width f uniform in [0, F] (F = {@code maxFreqWidth},
 *       capped at the dims) and a start uniform in [0, dims - f]; those bins are set to {@code maskValue}.</li>
 *   <li><b>Time masks</b>: likewise with {@code timeMasks} and T = {@code maxTimeWidth} over frames.</li>
 * </ul>
 * The mask value 0 is the mean of CMVN-normalized features. Defaults ({@link Config#DEFAULT}) follow ESPnet's
 * LibriSpeech recipes: W = 5, 2 frequency masks with F = 30, 2 time masks with T = 40.
 */
public final class SpecAugment {

    /** SpecAugment parameters. */
    public record Config(int timeWarpWindow, int freqMasks, int maxFreqWidth, int timeMasks, int maxTimeWidth,
                         float maskValue) {
        public static final Config DEFAULT = new Config(5, 2, 30, 2, 40, 0f);

        public Config {
            if (timeWarpWindow < 0 || freqMasks < 0 || maxFreqWidth < 0 || timeMasks < 0 || maxTimeWidth < 0) {
                throw new IllegalArgumentException("SpecAugment.Config: every count and width must be >= 0, got " + this);
            }
        }
    }

    private final Config config;

    public SpecAugment(Config config) { this.config = config; }

    public SpecAugment() { this(Config.DEFAULT); }

    public Config config() { return config; }

    /** An augmented copy of {@code features}; the input is not changed. */
    public Features apply(Features features, RandomGenerator random) {
        Features out = timeWarp(features, config.timeWarpWindow(), random);
        if (out == features) out = features.copy();
        float[] data = out.data();
        int frames = out.frames();
        int dims = out.dims();
        for (int m = 0; m < config.freqMasks(); m++) {
            int width = random.nextInt(Math.min(config.maxFreqWidth(), dims) + 1);
            int start = random.nextInt(dims - width + 1);
            for (int t = 0; t < frames; t++) {
                java.util.Arrays.fill(data, t * dims + start, t * dims + start + width, config.maskValue());
            }
        }
        for (int m = 0; m < config.timeMasks(); m++) {
            int width = random.nextInt(Math.min(config.maxTimeWidth(), frames) + 1);
            int start = random.nextInt(frames - width + 1);
            java.util.Arrays.fill(data, start * dims, (start + width) * dims, config.maskValue());
        }
        return out;
    }

    /** Time warp alone (returns {@code features} itself when the warp is skipped). */
    static Features timeWarp(Features features, int window, RandomGenerator random) {
        int frames = features.frames();
        if (window == 0 || frames <= 2 * window) return features;
        int center = window + random.nextInt(frames - 2 * window);
        int destination = Math.max(1, center - window + random.nextInt(2 * window + 1)); // keep both parts non-empty
        if (destination == center) return features;
        int dims = features.dims();
        float[] in = features.data();
        float[] out = new float[in.length]; // (frames, dims)
        stretch(in, 0, center, out, 0, destination, dims);
        stretch(in, center, frames - center, out, destination, frames - destination, dims);
        return new Features(out, frames, dims);
    }

    /** Linear resize of {@code inLength} frames from {@code inStart} onto {@code outLength} frames at {@code outStart}. */
    private static void stretch(float[] in, int inStart, int inLength, float[] out, int outStart, int outLength, int dims) {
        double scale = inLength / (double) outLength;
        for (int t = 0; t < outLength; t++) {
            double source = Math.min(inLength - 1, Math.max(0, (t + 0.5) * scale - 0.5));
            int lower = (int) source;
            int upper = Math.min(lower + 1, inLength - 1);
            float w = (float) (source - lower);
            int a = (inStart + lower) * dims;
            int b = (inStart + upper) * dims;
            int o = (outStart + t) * dims;
            for (int d = 0; d < dims; d++) out[o + d] = in[a + d] * (1 - w) + in[b + d] * w;
        }
    }
}
