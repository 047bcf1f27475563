package dev.speechmamba.backend.reference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamRefTest {

    @Test
    void twoStepsMatchHandUnrolledUpdate() {
        double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01;
        double[] param = {1.0, -0.5};
        double[] m = new double[2];
        double[] v = new double[2];
        double[] g1 = {0.5, 2.0};
        double[] g2 = {-0.25, 1.0};
        AdamRef.step(param, g1, m, v, lr, beta1, beta2, eps, weightDecay, 1, 2);
        AdamRef.step(param, g2, m, v, lr, beta1, beta2, eps, weightDecay, 2, 2);

        // element 0, written out: step 1
        double m1 = 0.1 * 0.5;                       // 0.05
        double v1 = 0.001 * 0.25;                    // 0.00025
        double p1 = 1.0 - 0.1 * ((m1 / 0.1) / (Math.sqrt(v1 / 0.001) + 1e-8) + 0.01 * 1.0);
        // step 2
        double m2 = 0.9 * m1 + 0.1 * -0.25;
        double v2 = 0.999 * v1 + 0.001 * 0.0625;
        double mHat2 = m2 / (1 - 0.9 * 0.9);
        double vHat2 = v2 / (1 - 0.999 * 0.999);
        double p2 = p1 - 0.1 * (mHat2 / (Math.sqrt(vHat2) + 1e-8) + 0.01 * p1);
        assertEquals(0.899, p1, 1e-7);               // the first step moves by about lr · (1 + wd)
        assertEquals(p2, param[0], 1e-12);
        assertEquals(m2, m[0], 1e-15);
        assertEquals(v2, v[0], 1e-15);

        // element 1: step 1 moves by lr · (sign(g) + wd · p) as well
        double q1 = -0.5 - 0.1 * (1.0 / (1.0 + 1e-8 / 2.0) + 0.01 * -0.5);
        double mb2 = 0.9 * 0.2 + 0.1 * 1.0;
        double vb2 = 0.999 * 0.004 + 0.001 * 1.0;
        double q2 = q1 - 0.1 * ((mb2 / 0.19) / (Math.sqrt(vb2 / (1 - 0.998001)) + 1e-8) + 0.01 * q1);
        assertEquals(q2, param[1], 1e-12);
    }

    @Test
    void stepIsOneBased() {
        assertThrows(IllegalArgumentException.class,
                () -> AdamRef.step(new double[1], new double[1], new double[1], new double[1], 0.1, 0.9, 0.999, 1e-8, 0, 0, 1));
    }
}
