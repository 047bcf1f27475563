package dev.speechmamba.cuda.cublas;

import java.util.Map;

/** cublasStatus_t names, for when cublasGetStatusName is unavailable. */
public final class CublasStatus {

    public static final int SUCCESS = 0;

    private static final Map<Integer, String> NAMES = Map.of(
            0, "CUBLAS_STATUS_SUCCESS",
            1, "CUBLAS_STATUS_NOT_INITIALIZED",
            3, "CUBLAS_STATUS_ALLOC_FAILED",
            7, "CUBLAS_STATUS_INVALID_VALUE",
            8, "CUBLAS_STATUS_ARCH_MISMATCH",
            11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED",
            14, "CUBLAS_STATUS_INTERNAL_ERROR",
            15, "CUBLAS_STATUS_NOT_SUPPORTED",
            16, "CUBLAS_STATUS_LICENSE_ERROR");

    private CublasStatus() {
    }

    /** The status's name, or {@code cublasStatus_t(N)} for an unknown code. */
    public static String name(int status) {
        String name = NAMES.get(status);
        return name != null ? name : "cublasStatus_t(" + status + ")";
    }
}
