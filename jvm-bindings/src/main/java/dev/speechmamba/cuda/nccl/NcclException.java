package dev.speechmamba.cuda.nccl;

import dev.speechmamba.cuda.NativeCallException;

/** An NCCL call returned a result other than ncclSuccess. */
public class NcclException extends NativeCallException {

    public NcclException(String call, int status, String statusName) {
        super("NCCL", call, status, statusName, null);
    }
}
