package dev.speechmamba.audio;

/**
 * Power spectrum of a real frame whose length is a power of two, by one complex radix-2 FFT of half the length
 * (even samples as real parts, odd samples as imaginary parts) and the usual split step. Small and exact in
 * double precision; fbank needs only 512 points, so a dependency would buy nothing. Not thread-safe: one
 * instance per thread (it keeps its work arrays).
 */
final class RealFft {

    private final int size;
    private final int half;
    /** cos and sin of -2πk/size for k in [0, size/2): the split step uses all, the half-size FFT every other one. */
    private final double[] cos;
    private final double[] sin;
    private final int[] bitReverse;
    private final double[] re;
    private final double[] im;

    RealFft(int size) {
        if (size < 4 || Integer.bitCount(size) != 1) throw new IllegalArgumentException("RealFft: size must be a power of two >= 4, got " + size);
        this.size = size;
        this.half = size / 2;
        cos = new double[half];
        sin = new double[half];
        for (int k = 0; k < half; k++) {
            double angle = -2 * Math.PI * k / size;
            cos[k] = Math.cos(angle);
            sin[k] = Math.sin(angle);
        }
        bitReverse = new int[half];
        int bits = Integer.numberOfTrailingZeros(half);
        for (int i = 0; i < half; i++) bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
        re = new double[half];
        im = new double[half];
    }

    int size() { return size; }

    /** Writes |X[k]|² for k in [0, size/2] into {@code power} (length size/2 + 1) from {@code frame} (length size). */
    void powerSpectrum(double[] frame, double[] power) {
        for (int n = 0; n < half; n++) {
            int r = bitReverse[n];
            re[r] = frame[2 * n];
            im[r] = frame[2 * n + 1];
        }
        for (int length = 2; length <= half; length <<= 1) {
            int span = length >> 1;
            int twiddleStride = size / length; // twiddles of the half-size FFT are every other full-size one
            for (int start = 0; start < half; start += length) {
                for (int j = 0; j < span; j++) {
                    double wr = cos[j * twiddleStride];
                    double wi = sin[j * twiddleStride];
                    int a = start + j;
                    int b = a + span;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
        // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / 2i.
        power[0] = (re[0] + im[0]) * (re[0] + im[0]);
        power[half] = (re[0] - im[0]) * (re[0] - im[0]);
        for (int k = 1; k < half; k++) {
            double zr = re[k];
            double zi = im[k];
            double cr = re[half - k];
            double ci = -im[half - k];
            double er = 0.5 * (zr + cr);
            double ei = 0.5 * (zi + ci);
            double dr = 0.5 * (zr - cr);
            double di = 0.5 * (zi - ci);
            double or = di;  // (dr + i di) / i = di - i dr
            double oi = -dr;
            double xr = er + cos[k] * or - sin[k] * oi;
            double xi = ei + cos[k] * oi + sin[k] * or;
            power[k] = xr * xr + xi * xi;
        }
    }
}
