package dev.speechmamba.train;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientClippingTest {

    private final Backend backend = new ReferenceBackend();

    @Test
    void scalesAllGradientsByTheGlobalNorm() {
        // Global norm of (3, 4) and (12) is sqrt(9 + 16 + 144) = 13; clip to 6.5 → coefficient ≈ 0.5.
        Tensor g1 = backend.fromHost(new float[] {3, 4}, 2);
        Tensor g2 = backend.fromHost(new float[] {12}, 1);
        assertEquals(13.0, GradientClipping.globalNorm(backend, Arrays.asList(g1, null, g2)), 1e-12);
        assertArrayEquals(new float[] {3, 4}, backend.toHost(g1), "globalNorm alone must not modify");
        double norm = GradientClipping.clipGlobalNorm(backend, Arrays.asList(g1, null, g2), 6.5);
        assertEquals(13.0, norm, 1e-12);
        double c = 6.5 / (13.0 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * c), (float) (4 * c)}, backend.toHost(g1), 1e-6f);
        assertArrayEquals(new float[] {(float) (12 * c)}, backend.toHost(g2), 1e-6f);
    }

    @Test
    void leavesSmallGradientsAlone() {
        Tensor g = backend.fromHost(new float[] {0.3f, -0.4f}, 2);
        assertEquals(0.5, GradientClipping.clipGlobalNorm(backend, List.of(g), 1.0), 1e-7);
        assertArrayEquals(new float[] {0.3f, -0.4f}, backend.toHost(g));
    }

    @Test
    void nonFiniteNormIsReturnedAndGradientsAreNotTouched() {
        Tensor g = backend.fromHost(new float[] {Float.NaN, 1}, 2);
        Tensor h = backend.fromHost(new float[] {2, 2}, 2);
        assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(backend, List.of(g, h), 1.0)));
        assertArrayEquals(new float[] {2, 2}, backend.toHost(h));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(backend, List.of(h), 0));
    }
}
