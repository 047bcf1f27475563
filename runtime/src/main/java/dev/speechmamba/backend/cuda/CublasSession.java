package dev.speechmamba.backend.cuda;

import dev.speechmamba.cuda.cublas.Cublas;

/**
 * The cuBLAS handle of one {@link CudaContext}, bound to its stream. Full FP32 math by default so results
 * match the float64 reference within FP32 tolerances; {@code -Dspeechmamba.cuda.tf32=true} allows TF32
 * tensor cores (faster, about 1e-3 relative error).
 */
final class CublasSession implements AutoCloseable {
    static final String TF32_PROPERTY = "speechmamba.cuda.tf32";

    private final Cublas cublas;

    CublasSession(long stream) {
        this.cublas = Cublas.create();
        try {
            cublas.setStream(stream);
            boolean tf32 = Boolean.getBoolean(TF32_PROPERTY);
            cublas.setMathMode(tf32 ? Cublas.MathMode.TF32_TENSOR_OP : Cublas.MathMode.DEFAULT);
        } catch (RuntimeException e) {
            cublas.close();
            throw e;
        }
    }

    Cublas cublas() { return cublas; }

    @Override
    public void close() { cublas.close(); }
}
