package dev.speechmamba.cuda.cublas;

import dev.speechmamba.cuda.NativeCallException;

/** A cuBLAS or cuBLASLt call returned a status other than CUBLAS_STATUS_SUCCESS. */
public class CublasException extends NativeCallException {

    public CublasException(String library, String call, int status, String statusName) {
        super(library, call, status, statusName, null);
    }
}
