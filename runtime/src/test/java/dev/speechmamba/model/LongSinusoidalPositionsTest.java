package dev.speechmamba.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Positions for hour-long inputs: ~90 000 encoder frames, past the cached prefix. */
class LongSinusoidalPositionsTest {

    @Test
    void anHourOfFramesFollowsTheFormula() {
        int d = 512, length = 92_000;
        float[] pe = SinusoidalPositions.table(length, d);
        assertEquals((long) length * d, pe.length);
        for (int t : new int[] {0, 31, 32, 8191, 8192, 8193, 45_017, 90_000, length - 1}) {
            for (int i : new int[] {0, 1, 7, 100, 255}) {
                double angle = t / Math.pow(10000, 2.0 * i / d);
                assertEquals(Math.sin(angle), pe[t * d + 2 * i], 2e-6, "sin t=" + t + " i=" + i);
                assertEquals(Math.cos(angle), pe[t * d + 2 * i + 1], 2e-6, "cos t=" + t + " i=" + i);
            }
        }
    }

    /** The rotation recurrence stays within float rounding of one sin/cos per element, and tables are prefixes. */
    @Test
    void recurrenceMatchesExactDefinitionAndPrefixesAgree() {
        int d = 64, length = SinusoidalPositions.CACHED_ROWS + 3000;
        float[] exact = SinusoidalPositions.compute(length, d), fast = SinusoidalPositions.table(length, d);
        double worst = 0;
        for (int k = 0; k < exact.length; k++) worst = Math.max(worst, Math.abs(exact[k] - fast[k]));
        assertEquals(0, worst, 1e-6);
        assertArrayEquals(Arrays.copyOf(fast, 100 * d), SinusoidalPositions.table(100, d));
        assertArrayEquals(Arrays.copyOf(SinusoidalPositions.table(length + 5000, d), length * d), fast);
    }

    @Test
    void tablesBeyondOneArrayAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SinusoidalPositions.table(5_000_000, 512));
        assertEquals(true, e.getMessage().contains("exceed one Java array"), e.getMessage());
    }
}
