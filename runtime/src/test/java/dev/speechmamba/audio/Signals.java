package dev.speechmamba.audio;

/** Test signals and a sinusoid fit used by the resampler, fbank and augmentation tests. */
final class Signals {

    private Signals() { }

    static float[] tone(double hz, double amplitude, int rate, int samples) {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        return x;
    }

    /** Amplitude of the {@code hz} component over [from, to), by projection on sin and cos (least squares). */
    static double amplitudeAt(float[] x, double hz, int rate, int from, int to) {
        double s = 0, c = 0, ss = 0, cc = 0, sc = 0;
        for (int i = from; i < to; i++) {
            double a = 2 * Math.PI * hz * i / rate;
            double si = Math.sin(a), ci = Math.cos(a);
            s += x[i] * si; c += x[i] * ci; ss += si * si; cc += ci * ci; sc += si * ci;
        }
        double det = ss * cc - sc * sc;
        double bs = (s * cc - c * sc) / det;
        double bc = (c * ss - s * sc) / det;
        return Math.hypot(bs, bc);
    }

    static double rms(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += (double) x[i] * x[i];
        return Math.sqrt(sum / (to - from));
    }

    /** The frequency (step {@code resolution} Hz, within [lo, hi]) with the largest fitted amplitude. */
    static double peakFrequency(float[] x, int rate, double lo, double hi, double resolution) {
        double best = lo, bestAmp = -1;
        for (double f = lo; f <= hi; f += resolution) {
            double a = amplitudeAt(x, f, rate, x.length / 4, 3 * x.length / 4);
            if (a > bestAmp) { bestAmp = a; best = f; }
        }
        return best;
    }
}
