package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backend;

/** Placeholder until the CUDA backend lands: reports no GPU. */
public final class CudaBackend {
    private CudaBackend() { }

    public static boolean isAvailable() { return false; }

    public static Backend create() { throw new IllegalStateException("cuda backend not built yet"); }
}
