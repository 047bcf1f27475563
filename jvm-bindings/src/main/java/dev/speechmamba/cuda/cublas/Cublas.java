package dev.speechmamba.cuda.cublas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.speechmamba.cuda.Downcalls;
import dev.speechmamba.cuda.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * One cuBLAS handle (cublasHandle_t) through FFM. Column-major, as cuBLAS is: for row-major
 * {@code C(m×n) = A(m×k)·B(k×n)} call {@code sgemm(N, N, n, m, k, 1, B, n, A, k, 0, C, n)}.
 *
 * <p>Scalars use host pointer mode (the default). Not thread safe: give each thread its own handle, or bind
 * one handle per stream. Library: libcublas.so.13 then .12; SPEECHMAMBA_CUBLAS overrides the path.
 */
public final class Cublas implements AutoCloseable {

    /** How cuBLAS is searched for. */
    public static final NativeLibrary.Spec LIBRARY = new NativeLibrary.Spec("cuBLAS", "SPEECHMAMBA_CUBLAS",
            List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"));

    /** cublasOperation_t. */
    public enum Op {
        N(0), T(1), C(2);

        public final int code;

        Op(int code) {
            this.code = code;
        }
    }

    /** cudaDataType_t values used with GemmEx. */
    public enum DataType {
        R_32F(0), R_64F(1), R_16F(2), R_8I(3), R_32I(10), R_16BF(14);

        public final int code;

        DataType(int code) {
            this.code = code;
        }
    }

    /** cublasComputeType_t values whose scalars are float (the only ones this class accepts). */
    public enum ComputeType {
        COMPUTE_32F(68), COMPUTE_32F_PEDANTIC(69), COMPUTE_32F_FAST_16F(74), COMPUTE_32F_FAST_16BF(75),
        COMPUTE_32F_FAST_TF32(77);

        public final int code;

        ComputeType(int code) {
            this.code = code;
        }
    }

    /** cublasMath_t. */
    public enum MathMode {
        DEFAULT(0), PEDANTIC(2), TF32_TENSOR_OP(3), DISALLOW_REDUCED_PRECISION_REDUCTION(16);

        public final int code;

        MathMode(int code) {
            this.code = code;
        }
    }

    /** cublasGemmAlgo_t CUBLAS_GEMM_DEFAULT. */
    public static final int GEMM_DEFAULT = -1;

    private static final ThreadLocal<MemorySegment> SCALARS =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 16));

    private static final class Api {
        static final NativeLibrary LIB = NativeLibrary.require(LIBRARY);

        static final MethodHandle create = h("cublasCreate_v2", ADDRESS);
        static final MethodHandle destroy = h("cublasDestroy_v2", JAVA_LONG);
        static final MethodHandle getVersion = h("cublasGetVersion_v2", JAVA_LONG, ADDRESS);
        static final MethodHandle setStream = h("cublasSetStream_v2", JAVA_LONG, JAVA_LONG);
        static final MethodHandle setMathMode = h("cublasSetMathMode", JAVA_LONG, JAVA_INT);
        static final MethodHandle setWorkspace = h("cublasSetWorkspace_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle sgemm = h("cublasSgemm_v2", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
        static final MethodHandle sgemmStridedBatched = h("cublasSgemmStridedBatched", JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT,
                JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
        static final MethodHandle gemmEx = h("cublasGemmEx", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle gemmStridedBatchedEx = h("cublasGemmStridedBatchedEx", JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT);
        static final Optional<MethodHandle> getStatusName = LIB.optionalDowncall("cublasGetStatusName",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MethodHandle h(String symbol, ValueLayout... args) {
            return LIB.downcall(symbol, FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    private long handle;

    private Cublas(long handle) {
        this.handle = handle;
    }

    /** Load cuBLAS (if not yet) and create a handle on the current context's device. */
    public static Cublas create() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.create.invokeExact(out), "cublasCreate");
            return new Cublas(out.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Load the library now; throws {@link dev.speechmamba.cuda.NativeLibraryException} naming what was searched. */
    public static void ensureLoaded() {
        NativeLibrary.require(LIBRARY);
        try {
            Api.LIB.location();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("cuBLAS", e);
        }
    }

    /** Where cuBLAS was loaded from. */
    public static String location() {
        ensureLoaded();
        return Api.LIB.location();
    }

    /** The status's name via cublasGetStatusName, else the static table. */
    public static String statusName(int status) {
        if (Api.getStatusName.isPresent()) {
            try {
                MemorySegment text = (MemorySegment) Api.getStatusName.get().invokeExact(status);
                if (!text.equals(MemorySegment.NULL)) {
                    return text.reinterpret(128).getString(0);
                }
            } catch (Throwable t) {
                // fall back to the table
            }
        }
        return CublasStatus.name(status);
    }

    private static void check(int status, String call) {
        if (status != CublasStatus.SUCCESS) {
            throw new CublasException("cuBLAS", call, status, statusName(status));
        }
    }

    /** The raw cublasHandle_t. */
    public long handle() {
        if (handle == 0) {
            throw new IllegalStateException("cuBLAS handle already destroyed");
        }
        return handle;
    }

    /** cublasGetVersion, e.g. 130000. */
    public int version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.getVersion.invokeExact(handle(), out), "cublasGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasSetStream: later calls on this handle run on {@code stream}. */
    public void setStream(long stream) {
        try {
            check((int) Api.setStream.invokeExact(handle(), stream), "cublasSetStream");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasSetMathMode. */
    public void setMathMode(MathMode mode) {
        try {
            check((int) Api.setMathMode.invokeExact(handle(), mode.code), "cublasSetMathMode(" + mode + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * cublasSetWorkspace: give cuBLAS a caller-owned device workspace (needed for CUDA graph capture to avoid
     * allocations inside the captured region).
     */
    public void setWorkspace(long devicePointer, long bytes) {
        try {
            check((int) Api.setWorkspace.invokeExact(handle(), devicePointer, bytes), "cublasSetWorkspace");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static MemorySegment scalars(float alpha, float beta) {
        MemorySegment scalars = SCALARS.get();
        scalars.set(JAVA_FLOAT, 0, alpha);
        scalars.set(JAVA_FLOAT, 4, beta);
        return scalars;
    }

    private static void checkDims(String call, int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(call + ": m, n, k must be >= 0, got " + m + ", " + n + ", " + k);
        }
    }

    /** cublasSgemm: C = alpha·op(A)·op(B) + beta·C, column-major, float32. */
    public void sgemm(Op transA, Op transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                      float beta, long c, int ldc) {
        checkDims("cublasSgemm", m, n, k);
        MemorySegment scalars = scalars(alpha, beta);
        try {
            check((int) Api.sgemm.invokeExact(handle(), transA.code, transB.code, m, n, k, scalars, a, lda, b, ldb,
                    scalars.asSlice(4), c, ldc), "cublasSgemm(m=" + m + ", n=" + n + ", k=" + k + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasSgemmStridedBatched: {@code batchCount} independent sgemms at element strides. */
    public void sgemmStridedBatched(Op transA, Op transB, int m, int n, int k, float alpha, long a, int lda,
                                    long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                                    long strideC, int batchCount) {
        checkDims("cublasSgemmStridedBatched", m, n, k);
        MemorySegment scalars = scalars(alpha, beta);
        try {
            check((int) Api.sgemmStridedBatched.invokeExact(handle(), transA.code, transB.code, m, n, k, scalars, a,
                    lda, strideA, b, ldb, strideB, scalars.asSlice(4), c, ldc, strideC, batchCount),
                    "cublasSgemmStridedBatched(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batchCount + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * cublasGemmEx with float scalars: e.g. fp32 data with {@link ComputeType#COMPUTE_32F_FAST_TF32}, or bf16
     * A/B ({@link DataType#R_16BF}) with fp32 or bf16 C and {@link ComputeType#COMPUTE_32F}.
     */
    public void gemmEx(Op transA, Op transB, int m, int n, int k, float alpha, long a, DataType aType, int lda,
                       long b, DataType bType, int ldb, float beta, long c, DataType cType, int ldc,
                       ComputeType computeType, int algorithm) {
        checkDims("cublasGemmEx", m, n, k);
        MemorySegment scalars = scalars(alpha, beta);
        try {
            check((int) Api.gemmEx.invokeExact(handle(), transA.code, transB.code, m, n, k, scalars, a, aType.code,
                    lda, b, bType.code, ldb, scalars.asSlice(4), c, cType.code, ldc, computeType.code, algorithm),
                    "cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ", " + aType + "/" + bType + "->" + cType + ", "
                            + computeType + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasGemmStridedBatchedEx with float scalars (see {@link #gemmEx}). */
    public void gemmStridedBatchedEx(Op transA, Op transB, int m, int n, int k, float alpha, long a, DataType aType,
                                     int lda, long strideA, long b, DataType bType, int ldb, long strideB, float beta,
                                     long c, DataType cType, int ldc, long strideC, int batchCount,
                                     ComputeType computeType, int algorithm) {
        checkDims("cublasGemmStridedBatchedEx", m, n, k);
        MemorySegment scalars = scalars(alpha, beta);
        try {
            check((int) Api.gemmStridedBatchedEx.invokeExact(handle(), transA.code, transB.code, m, n, k, scalars, a,
                    aType.code, lda, strideA, b, bType.code, ldb, strideB, scalars.asSlice(4), c, cType.code, ldc,
                    strideC, batchCount, computeType.code, algorithm),
                    "cublasGemmStridedBatchedEx(m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batchCount + ", "
                            + computeType + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasDestroy; idempotent. */
    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            try {
                check((int) Api.destroy.invokeExact(h), "cublasDestroy");
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }
    }
}
