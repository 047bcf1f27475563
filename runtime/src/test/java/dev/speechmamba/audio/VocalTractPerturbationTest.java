package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocalTractPerturbationTest {

    /** Goldens from runtime/src/test/python/fbank_reference.py (numpy, float64, Kaldi's warp written out there). */
    @ParameterizedTest
    @CsvSource({"vowels_1p3s, 0.9, 0p9", "vowels_1p3s, 1.1, 1p1", "chirp_noise_1s, 0.9, 0p9", "chirp_noise_1s, 1.1, 1p1"})
    void warpedFilterbankMatchesTheNumpyReference(String name, double warp, String tag) throws IOException {
        Features features = new Fbank(80, warp).compute(WavReader.readMono(FbankTest.resource(name + ".wav")));
        Npy.Array golden = Npy.read(FbankTest.resource(name + "_vtln" + tag + ".npy"));
        assertArrayEquals(new int[] {features.frames(), 80}, golden.shape());
        double worst = 0;
        for (int i = 0; i < golden.data().length; i++) worst = Math.max(worst, Math.abs(golden.data()[i] - features.data()[i]));
        assertTrue(worst < 1e-3, name + " warp " + warp + ": max abs diff " + worst);
        Features plain = new Fbank().compute(WavReader.readMono(FbankTest.resource(name + ".wav")));
        double moved = 0;
        for (int i = 0; i < plain.data().length; i++) moved = Math.max(moved, Math.abs(plain.data()[i] - features.data()[i]));
        assertTrue(moved > 0.1, "the warp changes the features (max change " + moved + ")");
    }

    @Test
    void warpOfOneIsThePlainFilterbankBitForBit() {
        float[] x = Signals.tone(440, 0.3, 16000, 8000);
        assertArrayEquals(new Fbank().compute(x).data(), new Fbank(80, 1.0).compute(x).data());
    }

    @Test
    void warpFunctionKeepsTheBandEndsAndScalesTheMiddle() {
        for (double w : new double[] {0.8, 0.9, 1.1, 1.25}) {
            assertEquals(Fbank.LOW_FREQ, Fbank.warpHz(Fbank.LOW_FREQ, w), 1e-9);
            assertEquals(8000.0, Fbank.warpHz(8000.0, w), 1e-9);
            assertEquals(1000.0 / w, Fbank.warpHz(1000.0, w), 1e-9);
            double previous = -1;
            for (double f = 0; f <= 8000; f += 5) {
                double g = Fbank.warpHz(f, w);
                assertTrue(g > previous, "monotone at " + f + " Hz, warp " + w);
                previous = g;
            }
            // Continuous at the cut-offs.
            for (double cut : new double[] {Fbank.VTLN_LOW * Math.max(1, w), Fbank.VTLN_HIGH * Math.min(1, w)}) {
                assertEquals(Fbank.warpHz(cut - 1e-7, w), Fbank.warpHz(cut, w), 1e-5, "at " + cut + " Hz");
            }
        }
        assertEquals(3000.0, Fbank.warpHz(3000.0, 1.0));
    }

    @Test
    void aLongerVocalTractMovesAToneUpTheMelBins() {
        float[] tone = Signals.tone(1000, 0.5, 16000, 4000);
        int low = peakBin(new Fbank(80, 0.9).compute(tone));
        int plain = peakBin(new Fbank(80, 1.0).compute(tone));
        int high = peakBin(new Fbank(80, 1.1).compute(tone));
        assertTrue(low < plain && plain < high, "peak bins " + low + " < " + plain + " < " + high);
    }

    @Test
    void drawsEveryGridFactorInRangeReproducibly() {
        VocalTractPerturbation vtlp = new VocalTractPerturbation(80, 0.1);
        assertEquals(0.1, vtlp.maxWarp(), 1e-12);
        TreeSet<Double> seen = new TreeSet<>();
        SplittableRandom a = new SplittableRandom(5), b = new SplittableRandom(5);
        for (int i = 0; i < 2000; i++) {
            double f = vtlp.drawFactor(a);
            assertEquals(f, vtlp.drawFactor(b));
            assertTrue(f >= 0.9 - 1e-12 && f <= 1.1 + 1e-12, "factor " + f);
            seen.add(Math.round(f * 100) / 100.0);
        }
        assertEquals(21, seen.size(), "all of 0.90, 0.91, ..., 1.10: " + seen);
        Fbank f = vtlp.filterbank(1.05);
        assertEquals(1.05, f.warp(), 1e-12);
        assertSame(f, vtlp.filterbank(1.05), "filterbanks are cached");
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new VocalTractPerturbation(80, 0));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> new VocalTractPerturbation(80, 0.3));
        assertTrue(big.getMessage().contains("(0, 0.2]"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VocalTractPerturbation(80, 0.004));
        VocalTractPerturbation vtlp = new VocalTractPerturbation(80, 0.05);
        IllegalArgumentException off = assertThrows(IllegalArgumentException.class, () -> vtlp.filterbank(1.1));
        assertTrue(off.getMessage().contains("1.1"), off.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vtlp.filterbank(1.015));
        IllegalArgumentException warp = assertThrows(IllegalArgumentException.class, () -> new Fbank(80, 1.5));
        assertTrue(warp.getMessage().contains("VTLN warp"), warp.getMessage());
        assertNotEquals(new Fbank(80, 0.95).warp(), new Fbank(80).warp());
    }

    private static int peakBin(Features f) {
        int best = 0;
        for (int b = 1; b < f.dims(); b++) if (f.get(10, b) > f.get(10, best)) best = b;
        return best;
    }
}
