package dev.speechmamba.tensor;

/** Memory behind a tensor: a Java array on the CPU backends, a device allocation on CUDA. */
public interface Storage extends AutoCloseable {
    /** Bytes of the allocation (may exceed what one view uses). */
    long byteSize();

    /** True for storage the JVM can read directly ({@link HostStorage}). */
    boolean isHost();

    /** Releases device memory; a no-op for host arrays. Idempotent. */
    @Override void close();
}
