package dev.speechmamba.cuda.cudnn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.speechmamba.cuda.Downcalls;
import dev.speechmamba.cuda.NativeLibrary;
import dev.speechmamba.cuda.cublas.Cublas;
import dev.speechmamba.cuda.cublas.CublasLt;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * A cuDNN handle (cudnnHandle_t) through FFM: version, stream, and a float NCHW 2-D convolution forward
 * ({@link Conv2dForward}) over cuDNN's legacy descriptor API. Library: libcudnn.so.9; SPEECHMAMBA_CUDNN
 * overrides the path.
 */
public final class Cudnn implements AutoCloseable {

    /** How cuDNN is searched for. */
    public static final NativeLibrary.Spec LIBRARY = new NativeLibrary.Spec("cuDNN", "SPEECHMAMBA_CUDNN",
            List.of("libcudnn.so.9", "libcudnn.so"));

    private static final int TENSOR_NCHW = 0;
    private static final int DATA_FLOAT = 0;
    private static final int CROSS_CORRELATION = 1;
    private static final int DEFAULT_MATH = 0;
    private static final int FMA_MATH = 3;
    /** CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM. */
    public static final int CONV_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1;
    /** CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM (no workspace). */
    public static final int CONV_FWD_ALGO_IMPLICIT_GEMM = 0;

    private static final Map<Integer, String> NAMES = Map.of(
            0, "CUDNN_STATUS_SUCCESS",
            1001, "CUDNN_STATUS_NOT_INITIALIZED",
            2000, "CUDNN_STATUS_BAD_PARAM",
            3000, "CUDNN_STATUS_NOT_SUPPORTED",
            4000, "CUDNN_STATUS_INTERNAL_ERROR",
            5000, "CUDNN_STATUS_EXECUTION_FAILED");

    private static final class Api {
        static final NativeLibrary LIB = NativeLibrary.require(LIBRARY);
        static final MethodHandle getVersion = LIB.downcall("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle getErrorString = LIB.downcall("cudnnGetErrorString",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        static final MethodHandle create = h("cudnnCreate", ADDRESS);
        static final MethodHandle destroy = h("cudnnDestroy", JAVA_LONG);
        static final MethodHandle setStream = h("cudnnSetStream", JAVA_LONG, JAVA_LONG);
        static final MethodHandle createTensorDescriptor = h("cudnnCreateTensorDescriptor", ADDRESS);
        static final MethodHandle setTensor4dDescriptor = h("cudnnSetTensor4dDescriptor", JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle destroyTensorDescriptor = h("cudnnDestroyTensorDescriptor", JAVA_LONG);
        static final MethodHandle createFilterDescriptor = h("cudnnCreateFilterDescriptor", ADDRESS);
        static final MethodHandle setFilter4dDescriptor = h("cudnnSetFilter4dDescriptor", JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle destroyFilterDescriptor = h("cudnnDestroyFilterDescriptor", JAVA_LONG);
        static final MethodHandle createConvolutionDescriptor = h("cudnnCreateConvolutionDescriptor", ADDRESS);
        static final MethodHandle setConvolution2dDescriptor = h("cudnnSetConvolution2dDescriptor", JAVA_LONG,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        static final MethodHandle setConvolutionMathType = h("cudnnSetConvolutionMathType", JAVA_LONG, JAVA_INT);
        static final MethodHandle destroyConvolutionDescriptor = h("cudnnDestroyConvolutionDescriptor", JAVA_LONG);
        static final MethodHandle getConvolution2dForwardOutputDim = h("cudnnGetConvolution2dForwardOutputDim",
                JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        static final MethodHandle getConvolutionForwardWorkspaceSize = h("cudnnGetConvolutionForwardWorkspaceSize",
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS);
        static final MethodHandle convolutionForward = h("cudnnConvolutionForward", JAVA_LONG, ADDRESS, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
                JAVA_LONG);

        private static MethodHandle h(String symbol, ValueLayout... args) {
            return LIB.downcall(symbol, FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    private long handle;

    private Cudnn(long handle) {
        this.handle = handle;
    }

    /** Load the library now; throws naming what was searched when it is missing. */
    public static void ensureLoaded() {
        // cuDNN's sub-libraries open cuBLAS/cuBLASLt by name; loading them first (from wherever they are found)
        // lets those lookups succeed without LD_LIBRARY_PATH. Missing ones are left to cuDNN to report.
        NativeLibrary.isLoadable(CublasLt.LIBRARY);
        NativeLibrary.isLoadable(Cublas.LIBRARY);
        NativeLibrary.require(LIBRARY);
        try {
            Api.LIB.location();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("cuDNN", e);
        }
    }

    /** cudnnGetVersion, e.g. 91400 for 9.14.0. */
    public static long version() {
        ensureLoaded();
        try {
            return (long) Api.getVersion.invokeExact();
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cudnnCreate on the current context's device. */
    public static Cudnn create() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.create.invokeExact(out), "cudnnCreate");
            return new Cudnn(out.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cudnnGetErrorString, falling back to the static table. */
    public static String statusName(int status) {
        try {
            MemorySegment text = (MemorySegment) Api.getErrorString.invokeExact(status);
            if (!text.equals(MemorySegment.NULL)) {
                return text.reinterpret(256).getString(0);
            }
        } catch (Throwable t) {
            // fall back to the table
        }
        String name = NAMES.get(status);
        return name != null ? name : "cudnnStatus_t(" + status + ")";
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw new CudnnException(call, status, statusName(status));
        }
    }

    /** The raw cudnnHandle_t. */
    public long handle() {
        if (handle == 0) {
            throw new IllegalStateException("cuDNN handle already destroyed");
        }
        return handle;
    }

    /** cudnnSetStream. */
    public void setStream(long stream) {
        try {
            check((int) Api.setStream.invokeExact(handle(), stream), "cudnnSetStream");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** cudnnDestroy; idempotent. */
    @Override
    public void close() {
        if (handle != 0) {
            long h = handle;
            handle = 0;
            try {
                check((int) Api.destroy.invokeExact(h), "cudnnDestroy");
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }
    }

    /** Build a float32 NCHW cross-correlation plan (what deep-learning "conv2d" means). */
    public Conv2dForward conv2dForward(int batch, int inChannels, int height, int width, int outChannels,
                                       int kernelH, int kernelW, int padH, int padW, int strideH, int strideW,
                                       boolean allowTf32) {
        return new Conv2dForward(this, batch, inChannels, height, width, outChannels, kernelH, kernelW, padH, padW,
                strideH, strideW, allowTf32);
    }

    /**
     * A 2-D convolution forward: x (N, C, H, W) * w (K, C, R, S) → y (N, K, P, Q), float32, owning its
     * descriptors. Close to free them.
     */
    public static final class Conv2dForward implements AutoCloseable {
        private final Cudnn cudnn;
        private long xDesc;
        private long wDesc;
        private long yDesc;
        private long convDesc;
        private final int[] outputShape;
        private final int algorithm = CONV_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
        private final long workspaceBytes;

        Conv2dForward(Cudnn cudnn, int n, int c, int h, int w, int k, int r, int s, int padH, int padW, int strideH,
                      int strideW, boolean allowTf32) {
            if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || strideH < 1 || strideW < 1
                    || padH < 0 || padW < 0) {
                throw new IllegalArgumentException("conv2dForward: bad shape x(" + n + ", " + c + ", " + h + ", " + w
                        + ") w(" + k + ", " + c + ", " + r + ", " + s + ") pad (" + padH + ", " + padW + ") stride ("
                        + strideH + ", " + strideW + ")");
            }
            this.cudnn = cudnn;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(JAVA_LONG);
                check((int) Api.createTensorDescriptor.invokeExact(out), "cudnnCreateTensorDescriptor");
                xDesc = out.get(JAVA_LONG, 0);
                check((int) Api.setTensor4dDescriptor.invokeExact(xDesc, TENSOR_NCHW, DATA_FLOAT, n, c, h, w),
                        "cudnnSetTensor4dDescriptor(x)");
                check((int) Api.createFilterDescriptor.invokeExact(out), "cudnnCreateFilterDescriptor");
                wDesc = out.get(JAVA_LONG, 0);
                check((int) Api.setFilter4dDescriptor.invokeExact(wDesc, DATA_FLOAT, TENSOR_NCHW, k, c, r, s),
                        "cudnnSetFilter4dDescriptor(w)");
                check((int) Api.createConvolutionDescriptor.invokeExact(out), "cudnnCreateConvolutionDescriptor");
                convDesc = out.get(JAVA_LONG, 0);
                check((int) Api.setConvolution2dDescriptor.invokeExact(convDesc, padH, padW, strideH, strideW, 1, 1,
                        CROSS_CORRELATION, DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
                check((int) Api.setConvolutionMathType.invokeExact(convDesc, allowTf32 ? DEFAULT_MATH : FMA_MATH),
                        "cudnnSetConvolutionMathType");
                MemorySegment dims = arena.allocate(JAVA_INT, 4);
                check((int) Api.getConvolution2dForwardOutputDim.invokeExact(convDesc, xDesc, wDesc, dims,
                        dims.asSlice(4), dims.asSlice(8), dims.asSlice(12)), "cudnnGetConvolution2dForwardOutputDim");
                outputShape = dims.toArray(JAVA_INT);
                check((int) Api.createTensorDescriptor.invokeExact(out), "cudnnCreateTensorDescriptor");
                yDesc = out.get(JAVA_LONG, 0);
                check((int) Api.setTensor4dDescriptor.invokeExact(yDesc, TENSOR_NCHW, DATA_FLOAT, outputShape[0],
                        outputShape[1], outputShape[2], outputShape[3]), "cudnnSetTensor4dDescriptor(y)");
                MemorySegment size = arena.allocate(JAVA_LONG);
                check((int) Api.getConvolutionForwardWorkspaceSize.invokeExact(cudnn.handle(), xDesc, wDesc, convDesc,
                        yDesc, algorithm, size), "cudnnGetConvolutionForwardWorkspaceSize");
                workspaceBytes = size.get(JAVA_LONG, 0);
            } catch (Throwable t) {
                close();
                throw Downcalls.rethrow(t);
            }
        }

        /** y's shape {N, K, P, Q}. */
        public int[] outputShape() {
            return outputShape.clone();
        }

        /** Device workspace bytes {@link #run} needs (may be 0). */
        public long workspaceBytes() {
            return workspaceBytes;
        }

        /** y = alpha·conv(x, w) + beta·y on the handle's stream. */
        public void run(long x, long w, long y, long workspace, float alpha, float beta) {
            if (workspaceBytes > 0 && workspace == 0) {
                throw new IllegalArgumentException("conv2dForward needs a workspace of " + workspaceBytes + " bytes");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment alphaSegment = arena.allocateFrom(JAVA_FLOAT, alpha);
                MemorySegment betaSegment = arena.allocateFrom(JAVA_FLOAT, beta);
                check((int) Api.convolutionForward.invokeExact(cudnn.handle(), alphaSegment, xDesc, x, wDesc, w,
                        convDesc, algorithm, workspace, workspaceBytes, betaSegment, yDesc, y), "cudnnConvolutionForward");
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            try {
                if (xDesc != 0) {
                    check((int) Api.destroyTensorDescriptor.invokeExact(xDesc), "cudnnDestroyTensorDescriptor");
                    xDesc = 0;
                }
                if (yDesc != 0) {
                    check((int) Api.destroyTensorDescriptor.invokeExact(yDesc), "cudnnDestroyTensorDescriptor");
                    yDesc = 0;
                }
                if (wDesc != 0) {
                    check((int) Api.destroyFilterDescriptor.invokeExact(wDesc), "cudnnDestroyFilterDescriptor");
                    wDesc = 0;
                }
                if (convDesc != 0) {
                    check((int) Api.destroyConvolutionDescriptor.invokeExact(convDesc),
                            "cudnnDestroyConvolutionDescriptor");
                    convDesc = 0;
                }
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }
    }
}
