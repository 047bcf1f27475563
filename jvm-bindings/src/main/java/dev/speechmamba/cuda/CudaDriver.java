package dev.speechmamba.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The CUDA driver API as the rest of the project sees it: no model knowledge, every handle a {@code long}.
 *
 * <p>Device pointers, contexts, modules, functions, streams, events, graphs and graph executables are all
 * passed as the raw native handle value, so a pointer from one implementation can be handed to cuBLAS,
 * cuDNN or NCCL through FFM unchanged. Stream {@code 0} is the legacy default stream.
 *
 * <p>Every failing call throws {@link CudaException} carrying the CUresult code, its name and the call.
 * The current context is per thread (as in CUDA): call {@link #contextSetCurrent(long)} on each thread that
 * issues work. Two implementations exist: {@link FfmCudaDriver} (java.lang.foreign into libcuda.so.1) and
 * {@link JCudaDriver} (JCuda JNI); {@link CudaDrivers#get()} picks one.
 */
public interface CudaDriver {

    /** CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK. */
    int DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
    /** CU_DEVICE_ATTRIBUTE_WARP_SIZE. */
    int DEVICE_ATTRIBUTE_WARP_SIZE = 10;
    /** CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT. */
    int DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    /** CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE (bytes). */
    int DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38;
    /** CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR. */
    int DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    /** CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR. */
    int DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /** CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR (bytes). */
    int DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR = 81;
    /** CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN (bytes a kernel may opt in to). */
    int DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;

    /** CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK. */
    int FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0;
    /** CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES (static shared memory). */
    int FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1;
    /** CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES (spills). */
    int FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3;
    /** CU_FUNC_ATTRIBUTE_NUM_REGS. */
    int FUNC_ATTRIBUTE_NUM_REGS = 4;
    /** CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES. */
    int FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    /** Stream capture modes of cuStreamBeginCapture (CUstreamCaptureMode). */
    enum CaptureMode {
        GLOBAL(0), THREAD_LOCAL(1), RELAXED(2);

        /** The CUstreamCaptureMode value. */
        public final int code;

        CaptureMode(int code) {
            this.code = code;
        }
    }

    /** Short name of this implementation: {@code "ffm"} or {@code "jcuda"}. */
    String implementation();

    /** cuInit(0). Safe to call more than once. */
    void init();

    /** cuDriverGetVersion, e.g. 13000 for CUDA 13.0. */
    int driverVersion();

    /** cuDeviceGetCount. */
    int deviceCount();

    /** cuDeviceGet: the CUdevice handle of the device with this ordinal. */
    int device(int ordinal);

    /** cuDeviceGetName. */
    String deviceName(int device);

    /** Compute capability via cuDeviceGetAttribute (major, minor). */
    ComputeCapability computeCapability(int device);

    /** cuDeviceTotalMem: bytes of device memory. */
    long deviceTotalMemory(int device);

    /** cuDeviceGetAttribute with a CU_DEVICE_ATTRIBUTE_* code (see the constants above). */
    int deviceAttribute(int device, int attribute);

    /** cuDevicePrimaryCtxRetain: the device's primary context (retained; release once per retain). */
    long primaryContextRetain(int device);

    /** cuDevicePrimaryCtxRelease. */
    void primaryContextRelease(int device);

    /** cuCtxSetCurrent: bind a context to the calling thread. */
    void contextSetCurrent(long context);

    /** cuCtxGetCurrent: the context bound to the calling thread, 0 if none. */
    long contextGetCurrent();

    /** cuCtxSynchronize: wait for all work of the current context. */
    void contextSynchronize();

    /** cuMemGetInfo for the current context's device. */
    MemInfo memGetInfo();

    /**
     * cuModuleLoadDataEx with NUL-terminated PTX text; on failure the JIT error log is part of the
     * exception message.
     */
    long moduleLoadData(String ptx);

    /** cuModuleUnload. */
    void moduleUnload(long module);

    /** cuModuleGetFunction: a kernel by its (extern "C") name. */
    long moduleGetFunction(long module, String name);

    /** cuFuncSetAttribute with a CU_FUNC_ATTRIBUTE_* code. */
    void funcSetAttribute(long function, int attribute, int value);

    /** cuFuncGetAttribute with a CU_FUNC_ATTRIBUTE_* code. */
    int funcGetAttribute(long function, int attribute);

    /** Allow a kernel to use up to {@code bytes} of dynamic shared memory (needed above 48 KiB). */
    default void funcSetMaxDynamicSharedMemory(long function, int bytes) {
        funcSetAttribute(function, FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
    }

    /**
     * cuLaunchKernel. The argument values are copied at launch, so {@code args} may be reused right after.
     */
    void launchKernel(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                      int dynamicSharedBytes, long stream, KernelArgs args);

    /** cuLaunchKernel with {@link Dim3} grid and block. */
    default void launchKernel(long function, Dim3 grid, Dim3 block, int dynamicSharedBytes, long stream,
                              KernelArgs args) {
        launchKernel(function, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), dynamicSharedBytes,
                stream, args);
    }

    /** cuMemAlloc: a device pointer to {@code bytes} bytes (256-byte aligned). */
    long memAlloc(long bytes);

    /** cuMemFree. */
    void memFree(long devicePointer);

    /** cuMemsetD32: set {@code count} 32-bit words (use {@link Float#floatToRawIntBits} for floats). */
    void memsetD32(long devicePointer, int value, long count);

    /** cuMemsetD32Async on a stream. */
    void memsetD32Async(long devicePointer, int value, long count, long stream);

    /** cuMemcpyHtoD from a native or heap segment ({@code bytes} from its start). */
    void copyHtoD(long dst, MemorySegment src, long bytes);

    /** cuMemcpyHtoD of {@code length} floats from {@code src[srcOffset..]}. */
    void copyHtoD(long dst, float[] src, int srcOffset, int length);

    /** cuMemcpyHtoD of {@code length} ints from {@code src[srcOffset..]}. */
    void copyHtoD(long dst, int[] src, int srcOffset, int length);

    /** cuMemcpyDtoH into a native or heap segment ({@code bytes} to its start). */
    void copyDtoH(MemorySegment dst, long src, long bytes);

    /** cuMemcpyDtoH of {@code length} floats into {@code dst[dstOffset..]}. */
    void copyDtoH(float[] dst, int dstOffset, int length, long src);

    /** cuMemcpyDtoH of {@code length} ints into {@code dst[dstOffset..]}. */
    void copyDtoH(int[] dst, int dstOffset, int length, long src);

    /** cuMemcpyDtoD (synchronous with respect to the host for most cases, as in CUDA). */
    void copyDtoD(long dst, long src, long bytes);

    /**
     * cuMemcpyHtoDAsync. {@code src} must be a native segment (pinned from {@link #memAllocHost(long)} for a
     * truly asynchronous copy) that stays alive until the stream reaches the copy.
     */
    void copyHtoDAsync(long dst, MemorySegment src, long bytes, long stream);

    /** cuMemcpyDtoHAsync into a native segment (pinned for a truly asynchronous copy). */
    void copyDtoHAsync(MemorySegment dst, long src, long bytes, long stream);

    /** cuMemcpyDtoDAsync. */
    void copyDtoDAsync(long dst, long src, long bytes, long stream);

    /** cuMemAllocHost: page-locked host memory of {@code bytes} bytes, free with {@link #memFreeHost}. */
    MemorySegment memAllocHost(long bytes);

    /** cuMemFreeHost of a segment from {@link #memAllocHost(long)}. */
    void memFreeHost(MemorySegment pinned);

    /** cuStreamCreate; {@code nonBlocking} = CU_STREAM_NON_BLOCKING (no implicit sync with stream 0). */
    long streamCreate(boolean nonBlocking);

    /** cuStreamDestroy. */
    void streamDestroy(long stream);

    /** cuStreamSynchronize. */
    void streamSynchronize(long stream);

    /** cuStreamWaitEvent: later work on {@code stream} waits for {@code event}. */
    void streamWaitEvent(long stream, long event);

    /** cuEventCreate; {@code timing=false} sets CU_EVENT_DISABLE_TIMING (cheaper for pure sync). */
    long eventCreate(boolean timing);

    /** cuEventRecord. */
    void eventRecord(long event, long stream);

    /** cuEventSynchronize. */
    void eventSynchronize(long event);

    /** cuEventElapsedTime: milliseconds between two recorded, completed timing events. */
    float eventElapsedMillis(long start, long end);

    /** cuEventDestroy. */
    void eventDestroy(long event);

    /** cuStreamBeginCapture: work issued to {@code stream} is recorded into a graph, not run. */
    void streamBeginCapture(long stream, CaptureMode mode);

    /** cuStreamEndCapture: the captured CUgraph. */
    long streamEndCapture(long stream);

    /** cuGraphInstantiate (flags 0): an executable graph. */
    long graphInstantiate(long graph);

    /** cuGraphLaunch. */
    void graphLaunch(long graphExec, long stream);

    /** cuGraphExecDestroy. */
    void graphExecDestroy(long graphExec);

    /** cuGraphDestroy. */
    void graphDestroy(long graph);

    /** cuGetErrorName for a CUresult, falling back to {@link CudaErrors#name(int)}. */
    String errorName(int code);
}
