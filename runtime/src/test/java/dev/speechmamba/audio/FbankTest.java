package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class FbankTest {

    static Path resource(String name) {
        try {
            return Path.of(FbankTest.class.getResource("/audio/fbank/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource audio/fbank/" + name + " is missing", e);
        }
    }

    /**
     * Golden features from runtime/src/test/python/fbank_reference.py (an independent numpy implementation of
     * Kaldi's fbank, float64) on 16-bit 16 kHz files of several lengths and kinds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"chirp_noise_1s", "tones_7000", "vowels_1p3s", "one_frame_400", "quiet_noise_0p3s"})
    void matchesTheNumpyReferenceWithin1e3(String name) throws IOException {
        Audio audio = WavReader.readMono(resource(name + ".wav"));
        assertEquals(16000, audio.sampleRate());
        Features features = new Fbank().compute(audio);
        Npy.Array golden = Npy.read(resource(name + ".npy"));
        assertArrayEquals(new int[] {features.frames(), 80}, golden.shape(), name + ": shape");
        double worst = 0;
        for (int i = 0; i < golden.data().length; i++) worst = Math.max(worst, Math.abs(golden.data()[i] - features.data()[i]));
        System.out.printf("fbank golden %s: %d frames, max abs diff %.2e%n", name, features.frames(), worst);
        assertTrue(worst < 1e-3, name + ": max abs diff " + worst);
    }

    @Test
    void frameCountFollowsSnipEdges() {
        Fbank fbank = new Fbank();
        for (int[] c : new int[][] {{0, 0}, {399, 0}, {400, 1}, {559, 1}, {560, 2}, {16000, 98}}) {
            assertEquals(c[1], Fbank.numFrames(c[0]), "samples " + c[0]);
            assertEquals(c[1], fbank.compute(new float[c[0]]).frames(), "samples " + c[0]);
        }
    }

    @Test
    void silenceHitsTheLogFloorAndDcIsRemoved() {
        Features silence = new Fbank().compute(new float[1600]);
        for (float v : silence.data()) assertEquals(Math.log(Fbank.LOG_FLOOR), v, 1e-6);
        float[] dc = new float[1600];
        java.util.Arrays.fill(dc, 0.25f);
        Features constant = new Fbank().compute(dc);
        for (float v : constant.data()) assertEquals(Math.log(Fbank.LOG_FLOOR), v, 1e-6, "a constant frame is all DC");
    }

    @Test
    void toneEnergyLandsInTheRightMelBin() {
        Fbank fbank = new Fbank();
        Features f = fbank.compute(Signals.tone(1000, 0.5, 16000, 4000));
        int best = 0;
        for (int b = 1; b < 80; b++) if (f.get(10, b) > f.get(10, best)) best = b;
        // Mel bin centres: mel(20) + (b + 1) * delta; find the one nearest 1 kHz independently.
        double low = Fbank.mel(20), delta = (Fbank.mel(8000) - low) / 81;
        int expected = (int) Math.round((Fbank.mel(1000) - low) / delta - 1);
        assertTrue(Math.abs(best - expected) <= 1, "peak bin " + best + ", 1 kHz is near bin " + expected);
    }

    @Test
    void otherRatesGiveTheSameFeaturesAfterResampling() {
        // Tones at 300 Hz, 2 kHz and 5 kHz recorded at 44.1 kHz and at 16 kHz agree after resampling, except
        // in bins far below the peaks (where the resampler's tiny passband ripple is visible on a log scale).
        double[] hz = {300, 2000, 5000};
        float[] at16 = new float[16000];
        float[] at44 = new float[44100];
        for (double h : hz) {
            float[] a = Signals.tone(h, 0.2, 16000, at16.length);
            float[] b = Signals.tone(h, 0.2, 44100, at44.length);
            for (int i = 0; i < a.length; i++) at16[i] += a[i];
            for (int i = 0; i < b.length; i++) at44[i] += b[i];
        }
        Features direct = new Fbank().compute(at16);
        Features resampled = new Fbank().compute(new Audio(at44, 44100).to16k());
        assertEquals(direct.frames(), resampled.frames());
        float peak = Float.NEGATIVE_INFINITY;
        for (float v : direct.data()) peak = Math.max(peak, v);
        int compared = 0;
        for (int t = 5; t < direct.frames() - 5; t++) {
            for (int b = 0; b < 80; b++) {
                if (direct.get(t, b) < peak - 6) continue; // within ~26 dB of the peak
                compared++;
                assertEquals(direct.get(t, b), resampled.get(t, b), 0.02, "frame " + t + " bin " + b);
            }
        }
        assertTrue(compared > 100, "compared only " + compared + " values");
    }

    @Test
    void rejectsOtherRatesAndBadBinCounts() {
        assertThrows(IllegalArgumentException.class, () -> new Fbank().compute(new Audio(new float[800], 8000)));
        assertThrows(IllegalArgumentException.class, () -> new Fbank(0));
        assertEquals(40, new Fbank(40).compute(new float[800]).dims());
    }

    @Test
    void realFftMatchesANaiveDft() {
        Random random = new Random(7);
        for (int n : new int[] {4, 8, 64, 512}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = random.nextGaussian();
            double[] power = new double[n / 2 + 1];
            new RealFft(n).powerSpectrum(x.clone(), power);
            for (int k = 0; k <= n / 2; k++) {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++) {
                    re += x[i] * Math.cos(2 * Math.PI * k * i / n);
                    im -= x[i] * Math.sin(2 * Math.PI * k * i / n);
                }
                assertEquals(re * re + im * im, power[k], 1e-9 * n * n, "n=" + n + " k=" + k);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new RealFft(100));
    }
}
