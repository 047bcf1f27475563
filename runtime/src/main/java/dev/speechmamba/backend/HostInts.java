package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * How a backend reads an I32 tensor's values on the host (a copy from the device on CUDA), so the shared
 * argument checks can validate lengths, labels and ids without knowing where the tensor lives.
 */
@FunctionalInterface
public interface HostInts {
    /** The tensor's elements in row-major order; the checks call this only after its dtype and shape passed. */
    int[] read(Tensor t);
}
