package dev.speechmamba.cuda;

/**
 * A call into a CUDA library (cuBLAS, cuDNN, NVRTC, NCCL) returned a failure status; the message names the
 * library, the call and the status.
 */
public class NativeCallException extends RuntimeException {

    private final String library;
    private final String call;
    private final int status;
    private final String statusName;

    public NativeCallException(String library, String call, int status, String statusName, String detail) {
        super(library + ": " + call + " failed: " + statusName + " (" + status + ")"
                + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.library = library;
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    /** The library, e.g. "cuBLAS". */
    public String library() {
        return library;
    }

    /** The failing call, e.g. cublasSgemm. */
    public String call() {
        return call;
    }

    /** The raw status code. */
    public int status() {
        return status;
    }

    /** The status's name, e.g. CUBLAS_STATUS_INVALID_VALUE. */
    public String statusName() {
        return statusName;
    }
}
