package dev.speechmamba.audio;

import dev.speechmamba.tensor.Tensor;

/**
 * A feature matrix: {@code frames} rows of {@code dims} values, row-major in {@code data}.
 *
 * @param data (frames, dims) row-major
 */
public record Features(float[] data, int frames, int dims) {

    public Features {
        if (frames < 0 || dims <= 0) throw new IllegalArgumentException("Features: bad shape (" + frames + ", " + dims + ")");
        if (data.length != (long) frames * dims) {
            throw new IllegalArgumentException("Features: " + data.length + " values for shape (" + frames + ", " + dims + ")");
        }
    }

    public float get(int frame, int dim) { return data[frame * dims + dim]; }

    /** A deep copy (augmentation and normalization work in place on copies). */
    public Features copy() { return new Features(data.clone(), frames, dims); }

    /** A (frames, dims) host tensor over a copy of the data. */
    public Tensor toTensor() { return Tensor.ofFloats(data.clone(), frames, dims); }
}
