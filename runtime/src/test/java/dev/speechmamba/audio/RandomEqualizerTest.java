package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomEqualizerTest {

    /** Gains stay within ±maxDb, the peaks spread over [0, maxDb], and neighbouring bins move together. */
    @Test
    void gainCurvesAreBoundedSpreadAndSmooth() {
        RandomEqualizer eq = new RandomEqualizer(6);
        SplittableRandom random = new SplittableRandom(11);
        int below2 = 0, above4 = 0;
        for (int trial = 0; trial < 500; trial++) {
            double[] g = eq.drawGainsDb(80, random);
            double peak = 0, maxStep = 0;
            for (int b = 0; b < g.length; b++) {
                peak = Math.max(peak, Math.abs(g[b]));
                if (b > 0) maxStep = Math.max(maxStep, Math.abs(g[b] - g[b - 1]));
            }
            assertTrue(peak <= 6 + 1e-9, "peak " + peak + " dB");
            // The fastest of the cosines moves at most π·6/80 of its amplitude per bin; the curve's peak bounds the rest.
            assertTrue(maxStep <= 0.5 * 6 + 1e-9 && maxStep <= peak, "step " + maxStep + " dB between bins, peak " + peak);
            if (peak < 2) below2++;
            if (peak > 4) above4++;
        }
        assertTrue(below2 > 100 && above4 > 100, "peaks drawn uniformly from [0, 6] dB: " + below2 + " under 2, " + above4 + " over 4");
    }

    /** Every bin is shifted by its gain (in natural-log power units), floor bins stay at the floor, same seed same curve. */
    @Test
    void addsTheDrawnGainToEveryFrameAndLeavesDigitalSilenceAlone() {
        RandomEqualizer eq = new RandomEqualizer(8);
        float floor = (float) Math.log(Fbank.LOG_FLOOR);
        int frames = 5, dims = 80;
        float[] data = new float[frames * dims];
        for (int i = 0; i < data.length; i++) data[i] = (i / dims == 2) ? floor : 3f + 0.01f * (i % 17);
        Features f = new Features(data.clone(), frames, dims);
        eq.applyInPlace(f, new SplittableRandom(5));
        double[] gainDb = eq.drawGainsDb(dims, new SplittableRandom(5));
        for (int t = 0; t < frames; t++) {
            for (int b = 0; b < dims; b++) {
                float before = data[t * dims + b], after = f.get(t, b);
                if (t == 2) assertEquals(floor, after, 0f, "digital silence stays silent");
                else assertEquals(before + gainDb[b] * Math.log(10) / 10, after, 1e-5, "frame " + t + " bin " + b);
            }
        }
        Features again = new Features(data.clone(), frames, dims);
        eq.applyInPlace(again, new SplittableRandom(5));
        assertArrayEquals(f.data(), again.data());
    }

    @Test
    void badGainsAreClearErrors() {
        for (double bad : new double[] {0, -1, 25, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomEqualizer(bad));
            assertTrue(e.getMessage().contains("random equalizer: the largest gain must be in (0, 20] dB, got " + bad), e.getMessage());
        }
    }
}
