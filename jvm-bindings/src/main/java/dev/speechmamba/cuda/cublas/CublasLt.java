package dev.speechmamba.cuda.cublas;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.speechmamba.cuda.Downcalls;
import dev.speechmamba.cuda.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A cuBLASLt handle (cublasLtHandle_t): loading, version and handle lifetime only, the base for later
 * fused-epilogue matmuls. Library: libcublasLt.so.13 then .12; SPEECHMAMBA_CUBLASLT overrides the path.
 */
public final class CublasLt implements AutoCloseable {

    /** How cuBLASLt is searched for. */
    public static final NativeLibrary.Spec LIBRARY = new NativeLibrary.Spec("cuBLASLt", "SPEECHMAMBA_CUBLASLT",
            List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"));

    private static final class Api {
        static final NativeLibrary LIB = NativeLibrary.require(LIBRARY);
        static final MethodHandle create = LIB.downcall("cublasLtCreate",
                FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, ADDRESS));
        static final MethodHandle destroy = LIB.downcall("cublasLtDestroy",
                FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, JAVA_LONG));
        static final MethodHandle getVersion = LIB.downcall("cublasLtGetVersion", FunctionDescriptor.of(JAVA_LONG));
    }

    private long handle;

    private CublasLt(long handle) {
        this.handle = handle;
    }

    /** Load the library now; throws naming what was searched when it is missing. */
    public static void ensureLoaded() {
        NativeLibrary.require(LIBRARY);
        try {
            Api.LIB.location();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("cuBLASLt", e);
        }
    }

    /** cublasLtGetVersion, e.g. 130000. */
    public static long version() {
        ensureLoaded();
        try {
            return (long) Api.getVersion.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cublasLtCreate. */
    public static CublasLt create() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            int status = (int) Api.create.invokeExact(out);
            if (status != 0) {
                throw new CublasException("cuBLASLt", "cublasLtCreate", status, CublasStatus.name(status));
            }
            return new CublasLt(out.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** The raw cublasLtHandle_t. */
    public long handle() {
        if (handle == 0) {
            throw new IllegalStateException("cuBLASLt handle already destroyed");
        }
        return handle;
    }

    /** cublasLtDestroy; idempotent. */
    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            try {
                int status = (int) Api.destroy.invokeExact(h);
                if (status != 0) {
                    throw new CublasException("cuBLASLt", "cublasLtDestroy", status, CublasStatus.name(status));
                }
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }
    }
}
