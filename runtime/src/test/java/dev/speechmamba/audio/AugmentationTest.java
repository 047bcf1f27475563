package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class AugmentationTest {

    @Test
    void speedPerturbationChangesDurationAndPitchByTheFactor() {
        Audio audio = new Audio(Signals.tone(1000, 0.5, 16000, 16000), 16000);
        for (double factor : SpeedPerturbation.DEFAULT_FACTORS) {
            Audio out = SpeedPerturbation.apply(audio, factor);
            assertEquals(16000, out.sampleRate());
            assertEquals(16000 / factor, out.samples().length, 1.0, "length at " + factor);
            double peak = Signals.peakFrequency(out.samples(), 16000, 900, 1100, 5);
            assertEquals(1000 * factor, peak, 5, "pitch at " + factor);
            assertEquals(0.5, Signals.amplitudeAt(out.samples(), 1000 * factor, 16000, 2000, out.samples().length - 2000), 0.01);
        }
        assertSame(audio, SpeedPerturbation.apply(audio, 1.0));
        assertThrows(IllegalArgumentException.class, () -> SpeedPerturbation.apply(audio, 3));
        assertThrows(IllegalArgumentException.class, () -> SpeedPerturbation.apply(audio, Double.NaN));
        SplittableRandom a = new SplittableRandom(9), b = new SplittableRandom(9);
        int[] seen = new int[3];
        for (int i = 0; i < 300; i++) {
            double f = SpeedPerturbation.drawFactor(a);
            assertEquals(f, SpeedPerturbation.drawFactor(b));
            seen[Arrays.binarySearch(SpeedPerturbation.DEFAULT_FACTORS, f)]++;
        }
        for (int count : seen) assertTrue(count > 60, Arrays.toString(seen));
    }

    private static Features ramp(int frames, int dims) {
        float[] data = new float[frames * dims];
        for (int t = 0; t < frames; t++) for (int d = 0; d < dims; d++) data[t * dims + d] = 1 + t + 0.001f * d;
        return new Features(data, frames, dims);
    }

    @Test
    void sameSeedSameResultAndInputUntouched() {
        Features in = ramp(300, 80);
        float[] before = in.data().clone();
        SpecAugment augment = new SpecAugment();
        Features x = augment.apply(in, new SplittableRandom(42));
        Features y = augment.apply(in, new SplittableRandom(42));
        assertArrayEquals(x.data(), y.data());
        assertArrayEquals(before, in.data());
        boolean differs = false;
        for (long seed = 0; seed < 5 && !differs; seed++) {
            differs = !Arrays.equals(x.data(), augment.apply(in, new SplittableRandom(100 + seed)).data());
        }
        assertTrue(differs, "different seeds give different masks");
    }

    @Test
    void masksAreFullBandsOfBoundedWidth() {
        SpecAugment.Config config = new SpecAugment.Config(0, 2, 30, 2, 40, -7f);
        SpecAugment augment = new SpecAugment(config);
        int frames = 200, dims = 80;
        int maskedSomething = 0;
        for (long seed = 0; seed < 50; seed++) {
            Features out = augment.apply(ramp(frames, dims), new SplittableRandom(seed));
            boolean[] maskedColumn = new boolean[dims];
            boolean[] maskedRow = new boolean[frames];
            for (int d = 0; d < dims; d++) {
                maskedColumn[d] = true;
                for (int t = 0; t < frames; t++) maskedColumn[d] &= out.get(t, d) == -7f;
            }
            for (int t = 0; t < frames; t++) {
                maskedRow[t] = true;
                for (int d = 0; d < dims; d++) maskedRow[t] &= out.get(t, d) == -7f;
            }
            // Every masked cell lies in a fully masked row or column; the rest is the untouched input.
            for (int t = 0; t < frames; t++) {
                for (int d = 0; d < dims; d++) {
                    if (out.get(t, d) == -7f) assertTrue(maskedColumn[d] || maskedRow[t], "stray mask at " + t + "," + d);
                    else assertEquals(1 + t + 0.001f * d, out.get(t, d), 0);
                }
            }
            int columns = count(maskedColumn), rows = count(maskedRow);
            assertTrue(columns <= 2 * 30, "masked columns " + columns);
            if (columns < dims) assertTrue(rows <= 2 * 40, "masked rows " + rows);
            assertTrue(runs(maskedColumn) <= 2 && runs(maskedRow) <= 2 || columns == dims || rows == frames);
            if (columns + rows > 0) maskedSomething++;
        }
        assertTrue(maskedSomething > 40, "masks almost never drawn: " + maskedSomething);
        // Masks never exceed short inputs.
        Features tiny = new SpecAugment().apply(ramp(3, 80), new SplittableRandom(1));
        assertEquals(3, tiny.frames());
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean v : b) if (v) n++;
        return n;
    }

    private static int runs(boolean[] b) {
        int n = 0;
        for (int i = 0; i < b.length; i++) if (b[i] && (i == 0 || !b[i - 1])) n++;
        return n;
    }

    @Test
    void timeWarpKeepsLengthEndsAndOrder() {
        Features in = ramp(100, 4);
        int warped = 0;
        for (long seed = 0; seed < 20; seed++) {
            Features out = SpecAugment.timeWarp(in, 5, new SplittableRandom(seed));
            assertEquals(100, out.frames());
            assertEquals(in.get(0, 0), out.get(0, 0), 1.0, "the ends stay within a frame");
            assertEquals(in.get(99, 0), out.get(99, 0), 1.0, "the ends stay within a frame");
            for (int t = 1; t < 100; t++) assertTrue(out.get(t, 0) >= out.get(t - 1, 0), "a warp keeps time order");
            double shift = 0;
            for (int t = 0; t < 100; t++) shift = Math.max(shift, Math.abs(out.get(t, 0) - in.get(t, 0)));
            assertTrue(shift <= 5 + 1e-4, "moved by at most W frames: " + shift);
            if (out != in) warped++;
        }
        assertTrue(warped > 10);
        Features short10 = ramp(10, 4);
        assertSame(short10, SpecAugment.timeWarp(short10, 5, new SplittableRandom(1)), "too short to warp");
        assertFalse(new SpecAugment.Config(5, 2, 30, 2, 40, 0f).equals(new SpecAugment.Config(5, 2, 27, 2, 40, 0f)));
        assertThrows(IllegalArgumentException.class, () -> new SpecAugment.Config(-1, 2, 30, 2, 40, 0f));
    }
}
