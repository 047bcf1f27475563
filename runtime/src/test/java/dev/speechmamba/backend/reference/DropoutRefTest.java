package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.DropoutMask;
import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutRefTest {
    private static final long SEED = 1234567L;

    @Test
    void gradientIsTheScaledMask() {
        Random rng = new Random(10);
        int n = 200;
        float p = 0.3f;
        double[] x = GradCheck.random(rng, n, -1, 1);
        double[] r = GradCheck.random(rng, n, -1, 1);
        double[] dx = new double[n];
        DropoutRef.backward(dx, r, p, SEED, n);
        GradCheck.check("dropout", in -> {
            double[] o = new double[n];
            DropoutRef.forward(o, in[0], p, SEED, n);
            return GradCheck.dot(o, r);
        }, new double[][] {x}, new double[][] {dx}, 1e-6, 1e-6, 1e-8);

        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        double[] mask = new double[n];
        DropoutRef.backward(mask, ones, p, SEED, n);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = DropoutMask.keep(SEED, i, p);
            assertEquals(keep ? 1.0 / (1.0 - p) : 0.0, mask[i], 1e-15, "element " + i);
            if (keep) kept++;
        }
        assertTrue(kept > 0 && kept < n, "the mask must both keep and drop at p = 0.3, kept " + kept);
    }

    @Test
    void keptFractionIsCloseToOneMinusP() {
        int n = 20000;
        float p = 0.25f;
        double[] x = new double[n];
        java.util.Arrays.fill(x, 1.0);
        double[] out = new double[n];
        DropoutRef.forward(out, x, p, 99L, n);
        int kept = 0;
        for (double v : out) if (v != 0) kept++;
        assertEquals(1 - p, kept / (double) n, 0.02);
    }

    @Test
    void zeroProbabilityIsIdentityAndOneIsRejected() {
        double[] x = {1.5, -2, 3};
        double[] out = new double[3];
        DropoutRef.forward(out, x, 0f, SEED, 3);
        assertArrayEquals(x, out, 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropoutRef.forward(out, x, 1f, SEED, 3));
        assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("[0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DropoutRef.backward(out, x, -0.1f, SEED, 3));
    }
}
