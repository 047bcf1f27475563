package dev.speechmamba.cuda.cudnn;

import dev.speechmamba.cuda.NativeCallException;

/** A cuDNN call returned a status other than CUDNN_STATUS_SUCCESS. */
public class CudnnException extends NativeCallException {

    public CudnnException(String call, int status, String statusName) {
        super("cuDNN", call, status, statusName, null);
    }
}
