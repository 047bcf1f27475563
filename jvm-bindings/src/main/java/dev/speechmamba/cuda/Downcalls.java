package dev.speechmamba.cuda;

/** Small helpers shared by the FFM bindings. */
public final class Downcalls {

    private Downcalls() {
    }

    /**
     * Turn a Throwable from {@code MethodHandle.invokeExact} into an unchecked exception (errors propagate
     * unchanged; downcalls declare Throwable but only ever throw unchecked ones).
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a native downcall", t);
    }

    /**
     * The exception to throw when a library holder class failed its static initialization: the first time the
     * original cause (e.g. {@link NativeLibraryException} naming the paths searched), later times (when the JVM
     * reports NoClassDefFoundError) an exception naming the library.
     */
    public static RuntimeException loadFailure(String library, LinkageError e) {
        if (e instanceof ExceptionInInitializerError init && init.getCause() instanceof RuntimeException cause) {
            return cause;
        }
        return new NativeLibraryException(library + " failed to load earlier in this JVM: " + e.getMessage(), e);
    }
}
