package dev.speechmamba.audio;

/**
 * Band-limited sample-rate conversion by a rational factor: a polyphase windowed-sinc filter with a Kaiser
 * window.
 *
 * <p>For rates {@code in} and {@code out} with {@code g = gcd(in, out)}, output sample {@code n} lies at input
 * time {@code n * in / out}; its fractional part is one of {@code L = out / g} phases, and each phase has its own
 * precomputed set of taps (computed on the fly when {@code L} is so large that the table would be big). The
 * low-pass cutoff is {@link #ROLLOFF} times the lower of the two Nyquist frequencies, so nothing above the
 * output's Nyquist frequency folds back (the Kaiser window with {@link #KAISER_BETA} = 8.6 gives about 86 dB
 * of stop-band attenuation, reached within about 3% of the lower rate above the cutoff). The filter reaches
 * {@link #ZERO_CROSSINGS} zero crossings of the sinc on each side. Each phase's taps are normalized to sum to
 * one, so a constant signal stays constant. Samples before the start and after the end count as zero.
 */
public final class Resampler {

    /** Cutoff as a fraction of the lower Nyquist frequency. */
    public static final double ROLLOFF = 0.94;
    /** Sinc zero crossings on each side of the filter centre. */
    public static final int ZERO_CROSSINGS = 32;
    /** Kaiser window shape; larger trades a wider transition band for a deeper stop band. */
    public static final double KAISER_BETA = 8.6;
    /** Largest phase table kept in memory, in taps (floats). */
    private static final long MAX_TABLE = 1L << 22;

    private final int inputRate;
    private final int outputRate;
    /** Output rate / gcd: the number of filter phases. */
    private final int phases;
    /** Input rate / gcd: input samples advanced per {@link #phases} output samples. */
    private final int step;
    /** Cutoff in cycles per input sample. */
    private final double cutoff;
    /** Filter half-length in input samples. */
    private final double halfWidth;
    /** Taps on each side of the centre tap. */
    private final int reach;
    private final double besselBeta;
    /** (phases, 2 * reach + 1) normalized taps, or null when computed per output sample. */
    private final float[] table;

    private Resampler(int inputRate, int outputRate) {
        if (inputRate <= 0 || outputRate <= 0) {
            throw new IllegalArgumentException("Resampler: rates must be positive, got " + inputRate + " -> " + outputRate);
        }
        this.inputRate = inputRate;
        this.outputRate = outputRate;
        int g = gcd(inputRate, outputRate);
        this.phases = outputRate / g;
        this.step = inputRate / g;
        this.cutoff = 0.5 * Math.min(1.0, outputRate / (double) inputRate) * ROLLOFF;
        this.halfWidth = ZERO_CROSSINGS / (2 * cutoff);
        this.reach = (int) Math.ceil(halfWidth);
        this.besselBeta = besselI0(KAISER_BETA);
        long size = (long) phases * taps();
        if (size <= MAX_TABLE) {
            table = new float[(int) size];
            double[] scratch = new double[taps()];
            for (int p = 0; p < phases; p++) {
                fillTaps(p / (double) phases, scratch);
                for (int k = 0; k < scratch.length; k++) table[p * scratch.length + k] = (float) scratch[k];
            }
        } else {
            table = null;
        }
    }

    /** Recently used converters: building a phase table costs thousands of Bessel evaluations. */
    private static final java.util.Map<Long, Resampler> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 64;

    /** A resampler from {@code inputRate} to {@code outputRate} Hz (immutable and thread-safe, so shared). */
    public static Resampler of(int inputRate, int outputRate) {
        long key = (long) inputRate << 32 | (outputRate & 0xFFFFFFFFL);
        Resampler cached = CACHE.get(key);
        if (cached != null) return cached;
        Resampler made = new Resampler(inputRate, outputRate);
        if (CACHE.size() < CACHE_LIMIT) CACHE.putIfAbsent(key, made);
        return made;
    }

    public int inputRate() { return inputRate; }

    public int outputRate() { return outputRate; }

    /** Output length for {@code inputLength} samples: {@code ceil(inputLength * out / in)}. */
    public int outputLength(int inputLength) {
        long n = ((long) inputLength * phases + step - 1) / step;
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("Resampler: output of " + n + " samples is too long");
        return (int) n;
    }

    /** Resamples a whole signal. */
    public float[] process(float[] input) {
        int outLength = outputLength(input.length);
        float[] output = new float[outLength]; // (outLength,)
        if (inputRate == outputRate) {
            System.arraycopy(input, 0, output, 0, input.length);
            return output;
        }
        int taps = taps();
        double[] scratch = table == null ? new double[taps] : null;
        for (int n = 0; n < outLength; n++) {
            long position = (long) n * step;
            int base = (int) (position / phases);
            int phase = (int) (position % phases);
            int first = base - reach; // input index of tap 0
            int from = Math.max(0, -first);
            int to = Math.min(taps, input.length - first);
            double sum = 0;
            if (table != null) {
                int row = phase * taps;
                for (int k = from; k < to; k++) sum += table[row + k] * input[first + k];
            } else {
                fillTaps(phase / (double) phases, scratch);
                for (int k = from; k < to; k++) sum += scratch[k] * input[first + k];
            }
            output[n] = (float) sum;
        }
        return output;
    }

    private int taps() { return 2 * reach + 1; }

    /** Taps for an output at {@code fraction} in [0, 1) past an input sample; tap k weighs input (base - reach + k). */
    private void fillTaps(double fraction, double[] out) {
        double total = 0;
        for (int k = 0; k < out.length; k++) {
            double t = (k - reach) - fraction; // input sample time minus output time
            double u = t / halfWidth;
            double v = 0;
            if (Math.abs(u) < 1) {
                double x = 2 * cutoff * t;
                double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
                v = 2 * cutoff * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / besselBeta;
            }
            out[k] = v;
            total += v;
        }
        for (int k = 0; k < out.length; k++) out[k] /= total;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges fast for x below ~20). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double quarterSquare = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= quarterSquare / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
