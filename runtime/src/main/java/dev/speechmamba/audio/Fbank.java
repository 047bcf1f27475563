package dev.speechmamba.audio;

/**
 * Kaldi-compatible log-mel filterbank, matching {@code torchaudio.compliance.kaldi.fbank} with
 * {@code num_mel_bins=80, dither=0.0} and its other defaults:
 * <ul>
 *   <li>frames of 25 ms (400 samples) every 10 ms (160) at 16 kHz, {@code snip_edges=True}: a signal of n samples
 *       gives {@code 1 + (n - 400) / 160} frames, none when n &lt; 400;</li>
 *   <li>per frame: remove the DC offset (subtract the frame mean), pre-emphasis 0.97 Kaldi style
 *       ({@code x[i] -= 0.97 x[i-1]}, {@code x[0] -= 0.97 x[0]}), Povey window ({@code hann(400, periodic=False)^0.85}),
 *       zero padding to 512, power spectrum (257 bins);</li>
 *   <li>80 triangular filters equally spaced on the Kaldi mel scale {@code 1127 ln(1 + f/700)} from 20 Hz to the
 *       Nyquist frequency (8 kHz); the Nyquist bin carries no weight, as in Kaldi;</li>
 *   <li>{@code log(max(energy, 1.1920929e-07))} (float32 epsilon); no energy coefficient, no dither.</li>
 * </ul>
 *
 * <p><b>Input scale.</b> {@link #compute(float[])} takes samples in [-1, 1] as {@link WavReader} returns them and
 * multiplies them by {@link #INPUT_SCALE} = 32768 first, so the features equal torchaudio's on
 * {@code waveform * 32768} (Kaldi's int16 convention, which is what torchaudio users pass). Arithmetic is double
 * precision; results are rounded to float. Instances are immutable and thread-safe.
 *
 * <p><b>Vocal-tract length warping.</b> {@link #Fbank(int, double)} builds the filterbank with its edges moved by
 * Kaldi's piecewise-linear VTLN warp ({@code vtln_low=100}, {@code vtln_high=-500}, i.e. 7 500 Hz at 16 kHz), as
 * {@code torchaudio.compliance.kaldi.fbank(vtln_warp=…)} does: a filter meant for frequency f listens at about
 * f / warp, so a warp above 1 makes a voice sound as if from a longer vocal tract. Training uses it to perturb
 * speakers (Jaitly &amp; Hinton's VTLP); a warp of 1 is the plain filterbank.
 */
public final class Fbank {

    public static final int SAMPLE_RATE = 16_000;
    public static final int FRAME_LENGTH = 400;
    public static final int FRAME_SHIFT = 160;
    public static final int FFT_SIZE = 512;
    public static final int DEFAULT_MEL_BINS = 80;
    public static final double PREEMPHASIS = 0.97;
    public static final double POVEY_POWER = 0.85;
    public static final double LOW_FREQ = 20.0;
    /** torch.finfo(torch.float32).eps, torchaudio's floor before the log. */
    public static final double LOG_FLOOR = 1.1920928955078125e-07;
    /** Samples in [-1, 1] are scaled to the int16 range, the scale Kaldi features are defined on. */
    public static final double INPUT_SCALE = 32768.0;
    /** Kaldi's VTLN cut-offs: the warp is linear between them and pinned at {@link #LOW_FREQ} and Nyquist. */
    public static final double VTLN_LOW = 100.0;
    public static final double VTLN_HIGH = SAMPLE_RATE / 2.0 - 500.0;

    private final int melBins;
    private final double warp;
    /** (FRAME_LENGTH,) Povey window. */
    private final double[] window;
    /** Per mel bin: first FFT bin with weight, and the weights from there (the triangles are sparse). */
    private final int[] filterStart;
    private final double[][] filterWeights;

    /** The 80-bin filterbank the models use. */
    public Fbank() { this(DEFAULT_MEL_BINS); }

    public Fbank(int melBins) { this(melBins, 1.0); }

    /** A filterbank whose filter edges are moved by the VTLN warp {@code warp} (1 = none; 0.8 to 1.25). */
    public Fbank(int melBins, double warp) {
        if (melBins < 1 || melBins > 256) throw new IllegalArgumentException("Fbank: mel bins must be in [1, 256], got " + melBins);
        if (!(warp >= 0.8 && warp <= 1.25)) {
            throw new IllegalArgumentException("Fbank: the VTLN warp factor must be in [0.8, 1.25], got " + warp);
        }
        this.melBins = melBins;
        this.warp = warp;
        window = new double[FRAME_LENGTH];
        for (int i = 0; i < FRAME_LENGTH; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (FRAME_LENGTH - 1));
            window[i] = Math.pow(hann, POVEY_POWER);
        }
        filterStart = new int[melBins];
        filterWeights = new double[melBins][];
        double binWidth = SAMPLE_RATE / (double) FFT_SIZE;
        double melLow = mel(LOW_FREQ);
        double melHigh = mel(SAMPLE_RATE / 2.0);
        double melDelta = (melHigh - melLow) / (melBins + 1);
        int fftBins = FFT_SIZE / 2; // the Nyquist bin (index 256) gets no weight
        for (int b = 0; b < melBins; b++) {
            double plainLeft = melLow + b * melDelta;
            double plainCenter = plainLeft + melDelta;
            double left = warpMel(plainLeft, warp);
            double center = warpMel(plainCenter, warp);
            double right = warpMel(plainCenter + melDelta, warp);
            double[] dense = new double[fftBins];
            int first = -1;
            int last = -1;
            for (int k = 0; k < fftBins; k++) {
                double m = mel(binWidth * k);
                double up = (m - left) / (center - left);
                double down = (right - m) / (right - center);
                double w = Math.max(0, Math.min(up, down));
                dense[k] = w;
                if (w > 0) {
                    if (first < 0) first = k;
                    last = k;
                }
            }
            if (first < 0) { // too many bins for the FFT resolution: an empty filter, like Kaldi's
                first = 0;
                last = -1;
            }
            filterStart[b] = first;
            filterWeights[b] = java.util.Arrays.copyOfRange(dense, first, last + 1);
        }
    }

    /** Kaldi's mel scale. */
    public static double mel(double hz) { return 1127.0 * Math.log(1.0 + hz / 700.0); }

    /** The inverse of {@link #mel(double)}. */
    public static double hz(double mel) { return 700.0 * (Math.exp(mel / 1127.0) - 1.0); }

    /**
     * Kaldi's VTLN frequency warp: {@code hz / warp} between the cut-offs {@link #VTLN_LOW}·max(1, warp) and
     * {@link #VTLN_HIGH}·min(1, warp), joined linearly to the fixed ends {@link #LOW_FREQ} and the Nyquist frequency,
     * so the warped filters still cover the whole band. Frequencies outside [LOW_FREQ, Nyquist] are left alone.
     */
    public static double warpHz(double hz, double warp) {
        double nyquist = SAMPLE_RATE / 2.0;
        if (warp == 1.0 || hz < LOW_FREQ || hz > nyquist) return hz;
        double low = VTLN_LOW * Math.max(1.0, warp);
        double high = VTLN_HIGH * Math.min(1.0, warp);
        double scale = 1.0 / warp;
        if (hz < low) return LOW_FREQ + (scale * low - LOW_FREQ) / (low - LOW_FREQ) * (hz - LOW_FREQ);
        if (hz < high) return scale * hz;
        return nyquist + (nyquist - scale * high) / (nyquist - high) * (hz - nyquist);
    }

    private static double warpMel(double mel, double warp) {
        return warp == 1.0 ? mel : mel(warpHz(hz(mel), warp));
    }

    public int melBins() { return melBins; }

    /** The VTLN warp factor this filterbank was built with (1: none). */
    public double warp() { return warp; }

    /** Frames for {@code samples} samples ({@code snip_edges=True}). */
    public static int numFrames(int samples) {
        return samples < FRAME_LENGTH ? 0 : 1 + (samples - FRAME_LENGTH) / FRAME_SHIFT;
    }

    /** Features of 16 kHz audio; other rates are rejected (resample with {@link Audio#to16k()} first). */
    public Features compute(Audio audio) {
        if (audio.sampleRate() != SAMPLE_RATE) {
            throw new IllegalArgumentException("Fbank: audio must be " + SAMPLE_RATE + " Hz, got " + audio.sampleRate()
                    + " Hz (call Audio.to16k() first)");
        }
        return compute(audio.samples());
    }

    /**
     * Features of 16 kHz samples in [-1, 1].
     *
     * @return (frames, melBins) log-mel energies, frames = {@link #numFrames(int)}
     */
    public Features compute(float[] samples) {
        int frames = numFrames(samples.length);
        float[] out = new float[frames * melBins]; // (frames, melBins)
        RealFft fft = new RealFft(FFT_SIZE);
        double[] frame = new double[FFT_SIZE];        // (512,) windowed frame, zero padded
        double[] power = new double[FFT_SIZE / 2 + 1]; // (257,)
        for (int t = 0; t < frames; t++) {
            int start = t * FRAME_SHIFT;
            double mean = 0;
            for (int i = 0; i < FRAME_LENGTH; i++) {
                frame[i] = samples[start + i] * INPUT_SCALE;
                mean += frame[i];
            }
            mean /= FRAME_LENGTH;
            for (int i = 0; i < FRAME_LENGTH; i++) frame[i] -= mean;
            for (int i = FRAME_LENGTH - 1; i > 0; i--) frame[i] -= PREEMPHASIS * frame[i - 1];
            frame[0] -= PREEMPHASIS * frame[0];
            for (int i = 0; i < FRAME_LENGTH; i++) frame[i] *= window[i];
            java.util.Arrays.fill(frame, FRAME_LENGTH, FFT_SIZE, 0.0);
            fft.powerSpectrum(frame, power);
            int row = t * melBins;
            for (int b = 0; b < melBins; b++) {
                double[] weights = filterWeights[b];
                int first = filterStart[b];
                double energy = 0;
                for (int k = 0; k < weights.length; k++) energy += weights[k] * power[first + k];
                out[row + b] = (float) Math.log(Math.max(energy, LOG_FLOOR));
            }
        }
        return new Features(out, frames, melBins);
    }
}
