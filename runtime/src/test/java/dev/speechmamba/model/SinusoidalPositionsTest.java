package dev.speechmamba.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SinusoidalPositionsTest {

    @Test
    void valuesFollowTheFormulaForAnyLength() {
        int d = 6;
        float[] pe = SinusoidalPositions.table(300, d);
        assertEquals(300 * d, pe.length);
        for (int t : new int[] {0, 1, 17, 299}) {
            for (int i = 0; i < d / 2; i++) {
                double angle = t / Math.pow(10000, 2.0 * i / d);
                assertEquals(Math.sin(angle), pe[t * d + 2 * i], 1e-6, "sin t=" + t + " i=" + i);
                assertEquals(Math.cos(angle), pe[t * d + 2 * i + 1], 1e-6, "cos t=" + t + " i=" + i);
            }
        }
        // A shorter table is the prefix of a longer one, whichever was computed first.
        float[] shortTable = SinusoidalPositions.table(5, d);
        assertArrayEquals(java.util.Arrays.copyOf(pe, 5 * d), shortTable);
        assertArrayEquals(java.util.Arrays.copyOf(SinusoidalPositions.table(5000, d), 300 * d), pe);
        assertEquals(0, SinusoidalPositions.table(0, d).length);
        assertThrows(IllegalArgumentException.class, () -> SinusoidalPositions.table(4, 5));
    }

    @Test
    void frontEndLengthsAreCeilOfQuarter() {
        for (int n = 1; n < 200; n++) {
            assertEquals((int) Math.ceil(Math.ceil(n / 2.0) / 2.0), ConvFrontEnd.outputFrames(n), "frames " + n);
        }
        assertThrows(IllegalArgumentException.class, () -> ConvFrontEnd.outputFrames(0));
    }

    @Test
    void aRowIsThatRowOfTheTable() {
        for (int d : new int[] {4, 144}) {
            float[] table = SinusoidalPositions.table(SinusoidalPositions.CACHED_ROWS + 40, d);
            for (int t : new int[] {0, 1, 37, SinusoidalPositions.CACHED_ROWS - 1, SinusoidalPositions.CACHED_ROWS + 33}) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOfRange(table, t * d, (t + 1) * d),
                        SinusoidalPositions.row(t, d), "row " + t + ", width " + d);
            }
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SinusoidalPositions.row(-1, 4));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SinusoidalPositions.row(0, 3));
    }
}
