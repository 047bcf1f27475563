package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The activations and gradients of one step: every tensor allocated here is closed together when
 * the step ends, which returns device memory to the backend's caching allocator in one place.
 *
 * <p>A {@link #child()} arena holds short-lived tensors (one layer's intermediates at inference) and is
 * closed before its parent. Each arena counts the bytes of the tensors it and its open children hold
 * ({@link #liveBytes()}) and the most they ever held at once ({@link #peakBytes()}): a deterministic
 * measure of activation memory that benchmarks and memory-linearity tests read.
 */
public final class TensorArena implements AutoCloseable {
    private final Backend backend;
    private final TensorArena parent;
    private final List<Tensor> owned = new ArrayList<>();
    private long ownBytes;
    private long liveBytes;
    private long peakBytes;

    public TensorArena(Backend backend) { this(backend, null); }

    private TensorArena(Backend backend, TensorArena parent) {
        this.backend = backend;
        this.parent = parent;
    }

    public Backend backend() { return backend; }

    /** A nested arena for tensors that die before this one's; its bytes count towards this arena's totals. */
    public TensorArena child() {
        return new TensorArena(backend, this);
    }

    public Tensor zeros(int... dims) { return own(backend.zeros(DType.F32, dims)); }

    public Tensor ints(int[] values, int... dims) { return own(backend.fromHostInts(values, dims)); }

    public Tensor floats(float[] values, int... dims) { return own(backend.fromHost(values, dims)); }

    /** Takes ownership of a tensor made elsewhere (e.g. what a scan saved for its backward pass). */
    public Tensor own(Tensor t) {
        if (t != null) {
            owned.add(t);
            long bytes = t.size() * t.dtype().bytes();
            ownBytes += bytes;
            for (TensorArena a = this; a != null; a = a.parent) {
                a.liveBytes += bytes;
                a.peakBytes = Math.max(a.peakBytes, a.liveBytes);
            }
        }
        return t;
    }

    /** Bytes of the tensors this arena and its open children hold now. */
    public long liveBytes() { return liveBytes; }

    /** The most bytes this arena and its children held at once since it was made. */
    public long peakBytes() { return peakBytes; }

    @Override public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        owned.clear();
        for (TensorArena a = this; a != null; a = a.parent) a.liveBytes -= ownBytes;
        ownBytes = 0;
    }
}
