package dev.speechmamba.bench;

import java.util.SplittableRandom;

/** Deterministic benchmark inputs. */
final class BenchData {
    private BenchData() { }

    static float[] uniform(SplittableRandom random, int count, double low, double high) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float) random.nextDouble(low, high);
        return values;
    }
}
