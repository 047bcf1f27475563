package dev.speechmamba.cuda.nvrtc;

import dev.speechmamba.cuda.NativeCallException;

/** An NVRTC call failed; for a failed compilation the message carries the compiler log. */
public class NvrtcException extends NativeCallException {

    private final String log;

    public NvrtcException(String call, int status, String statusName, String log) {
        super("NVRTC", call, status, statusName, log);
        this.log = log == null ? "" : log;
    }

    /** The program log (compiler diagnostics), empty when none. */
    public String log() {
        return log;
    }
}
