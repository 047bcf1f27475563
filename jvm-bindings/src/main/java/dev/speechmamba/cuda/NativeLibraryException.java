package dev.speechmamba.cuda;

/** A native library (or one of its symbols) could not be found or loaded. */
public class NativeLibraryException extends RuntimeException {

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
