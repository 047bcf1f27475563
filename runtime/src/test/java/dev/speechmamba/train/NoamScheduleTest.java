package dev.speechmamba.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoamScheduleTest {

    @Test
    void matchesHandComputedValues() {
        // factor 5, d = 256, warmup 25000 (ESPnet's Conformer/Speech-Mamba recipe): scale = 5/16 = 0.3125.
        NoamSchedule noam = NoamSchedule.of(5.0, 256, 25_000);
        double warmupPow = Math.pow(25_000, -1.5); // 2.5298221281347e-7
        assertEquals(0.3125 * 1 * warmupPow, noam.learningRate(1), 1e-18);            // 7.9057e-8
        assertEquals(7.905694150420948e-8, noam.learningRate(1), 1e-20);
        assertEquals(0.3125 / Math.sqrt(25_000), noam.learningRate(25_000), 1e-15);   // the peak
        assertEquals(1.976423537605237e-3, noam.learningRate(25_000), 1e-15);
        assertEquals(0.3125 / Math.sqrt(100_000), noam.learningRate(100_000), 1e-15); // decay: 9.882e-4
        assertEquals(9.882117688026186e-4, noam.learningRate(100_000), 1e-15);
        assertEquals(noam.learningRate(25_000), noam.peakLearningRate(), 1e-18);
    }

    @Test
    void peakFormIsTheSameCurve() {
        NoamSchedule byFactor = NoamSchedule.of(2.0, 144, 400); // peak = 2/12/20 = 1/120
        NoamSchedule byPeak = NoamSchedule.withPeak(1.0 / 120, 400);
        for (long step : new long[] {1, 2, 100, 399, 400, 401, 1600, 1_000_000}) {
            assertEquals(byFactor.learningRate(step), byPeak.learningRate(step), 1e-15, "step " + step);
        }
        assertEquals(1.0 / 120 * 100 / 400, byPeak.learningRate(100), 1e-15);        // linear warm-up
        assertEquals(1.0 / 120 * Math.sqrt(400.0 / 1600), byPeak.learningRate(1600), 1e-15); // = peak / 2
    }

    @Test
    void rejectsInvalidArguments() {
        NoamSchedule noam = NoamSchedule.withPeak(1e-3, 10);
        assertThrows(IllegalArgumentException.class, () -> noam.learningRate(0));
        assertThrows(IllegalArgumentException.class, () -> NoamSchedule.of(1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> NoamSchedule.of(-1, 256, 10));
        assertThrows(IllegalArgumentException.class, () -> NoamSchedule.withPeak(1e-3, 0));
        assertThrows(IllegalArgumentException.class, () -> NoamSchedule.withPeak(Double.NaN, 10));
    }
}
