package dev.speechmamba.cuda;

/** A CUDA driver call returned a CUresult other than CUDA_SUCCESS. */
public class CudaException extends RuntimeException {

    private final int code;
    private final String errorName;
    private final String call;

    public CudaException(String call, int code, String errorName) {
        this(call, code, errorName, null);
    }

    public CudaException(String call, int code, String errorName, String detail) {
        super(call + " failed: " + errorName + " (" + code + ")" + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.code = code;
        this.errorName = errorName;
        this.call = call;
    }

    /** The raw CUresult. */
    public int code() {
        return code;
    }

    /** The CUresult's name, e.g. CUDA_ERROR_OUT_OF_MEMORY. */
    public String errorName() {
        return errorName;
    }

    /** The driver call that failed, e.g. cuMemAlloc. */
    public String call() {
        return call;
    }
}
