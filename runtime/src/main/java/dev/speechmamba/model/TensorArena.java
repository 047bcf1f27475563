package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The activations and gradients of one step: every tensor allocated here is closed together when
 * the step ends, which returns device memory to the backend's caching allocator in one place.
 */
public final class TensorArena implements AutoCloseable {
    private final Backend backend;
    private final List<Tensor> owned = new ArrayList<>();

    public TensorArena(Backend backend) { this.backend = backend; }

    public Backend backend() { return backend; }

    public Tensor zeros(int... dims) { return own(backend.zeros(DType.F32, dims)); }

    public Tensor ints(int[] values, int... dims) { return own(backend.fromHostInts(values, dims)); }

    public Tensor floats(float[] values, int... dims) { return own(backend.fromHost(values, dims)); }

    /** Takes ownership of a tensor made elsewhere (e.g. what a scan saved for its backward pass). */
    public Tensor own(Tensor t) {
        if (t != null) owned.add(t);
        return t;
    }

    @Override public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        owned.clear();
    }
}
