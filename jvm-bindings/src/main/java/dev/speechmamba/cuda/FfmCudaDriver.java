package dev.speechmamba.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * {@link CudaDriver} through java.lang.foreign downcalls into libcuda.so.1.
 *
 * <p>Handles are bound once in {@link Api} (static finals, so the JIT can inline them). Symbols are the
 * versioned ones cuda.h maps the API names to ({@code cuMemAlloc} is {@code cuMemAlloc_v2}, ...). Copies from
 * Java arrays pass the array directly (critical downcalls with heap access), without a staging buffer.
 */
public final class FfmCudaDriver implements CudaDriver {

    /** libcuda; override with SPEECHMAMBA_LIBCUDA. */
    public static final NativeLibrary.Spec LIBCUDA =
            new NativeLibrary.Spec("CUDA driver", "SPEECHMAMBA_LIBCUDA", List.of("libcuda.so.1", "libcuda.so"));

    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_EVENT_DISABLE_TIMING = 2;
    private static final int CU_JIT_INFO_LOG_BUFFER = 3;
    private static final int CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
    private static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    private static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    private static final int JIT_LOG_BYTES = 16 * 1024;
    private static final long SCRATCH_BYTES = 4096;

    /** Per-thread native scratch for launch argument blocks, so a launch allocates nothing. */
    private static final ThreadLocal<MemorySegment> LAUNCH_SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_BYTES, 16));

    /** Creates the driver; throws {@link NativeLibraryException} when libcuda cannot be loaded. */
    public FfmCudaDriver() {
        NativeLibrary.require(LIBCUDA);
        try {
            Objects.requireNonNull(Api.cuInit);
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("the CUDA driver (libcuda)", e);
        }
    }

    /** Downcall handles, bound when first used. */
    private static final class Api {
        private static final NativeLibrary LIB = NativeLibrary.require(LIBCUDA);
        private static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);

        static final MethodHandle cuInit = h("cuInit", JAVA_INT);
        static final MethodHandle cuDriverGetVersion = h("cuDriverGetVersion", ADDRESS);
        static final MethodHandle cuGetErrorName = h("cuGetErrorName", JAVA_INT, ADDRESS);
        static final MethodHandle cuDeviceGetCount = h("cuDeviceGetCount", ADDRESS);
        static final MethodHandle cuDeviceGet = h("cuDeviceGet", ADDRESS, JAVA_INT);
        static final MethodHandle cuDeviceGetName = h("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle cuDeviceTotalMem = h("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        static final MethodHandle cuDeviceGetAttribute = h("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle cuDevicePrimaryCtxRetain = h("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        static final MethodHandle cuDevicePrimaryCtxRelease = h("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        static final MethodHandle cuCtxSetCurrent = h("cuCtxSetCurrent", JAVA_LONG);
        static final MethodHandle cuCtxGetCurrent = h("cuCtxGetCurrent", ADDRESS);
        static final MethodHandle cuCtxSynchronize = h("cuCtxSynchronize");
        static final MethodHandle cuMemGetInfo = h("cuMemGetInfo_v2", ADDRESS, ADDRESS);
        static final MethodHandle cuModuleLoadDataEx = h("cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle cuModuleUnload = h("cuModuleUnload", JAVA_LONG);
        static final MethodHandle cuModuleGetFunction = h("cuModuleGetFunction", ADDRESS, JAVA_LONG, ADDRESS);
        static final MethodHandle cuFuncSetAttribute = h("cuFuncSetAttribute", JAVA_LONG, JAVA_INT, JAVA_INT);
        static final MethodHandle cuFuncGetAttribute = h("cuFuncGetAttribute", ADDRESS, JAVA_INT, JAVA_LONG);
        static final MethodHandle cuLaunchKernel = h("cuLaunchKernel", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        static final MethodHandle cuMemAlloc = h("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        static final MethodHandle cuMemFree = h("cuMemFree_v2", JAVA_LONG);
        static final MethodHandle cuMemsetD32 = h("cuMemsetD32_v2", JAVA_LONG, JAVA_INT, JAVA_LONG);
        static final MethodHandle cuMemsetD32Async = h("cuMemsetD32Async", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyHtoD = h("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        static final MethodHandle cuMemcpyHtoDHeap = LIB.downcall("cuMemcpyHtoD_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG), CRITICAL_HEAP);
        static final MethodHandle cuMemcpyDtoH = h("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyDtoHHeap = LIB.downcall("cuMemcpyDtoH_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), CRITICAL_HEAP);
        static final MethodHandle cuMemcpyDtoD = h("cuMemcpyDtoD_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyHtoDAsync = h("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyDtoHAsync = h("cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyDtoDAsync = h("cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemAllocHost = h("cuMemAllocHost_v2", ADDRESS, JAVA_LONG);
        static final MethodHandle cuMemFreeHost = h("cuMemFreeHost", JAVA_LONG);
        static final MethodHandle cuStreamCreate = h("cuStreamCreate", ADDRESS, JAVA_INT);
        static final MethodHandle cuStreamDestroy = h("cuStreamDestroy_v2", JAVA_LONG);
        static final MethodHandle cuStreamSynchronize = h("cuStreamSynchronize", JAVA_LONG);
        static final MethodHandle cuStreamWaitEvent = h("cuStreamWaitEvent", JAVA_LONG, JAVA_LONG, JAVA_INT);
        static final MethodHandle cuEventCreate = h("cuEventCreate", ADDRESS, JAVA_INT);
        static final MethodHandle cuEventRecord = h("cuEventRecord", JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuEventSynchronize = h("cuEventSynchronize", JAVA_LONG);
        static final MethodHandle cuEventElapsedTime = LIB
                .optionalDowncall("cuEventElapsedTime_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG))
                .orElseGet(() -> h("cuEventElapsedTime", ADDRESS, JAVA_LONG, JAVA_LONG));
        static final MethodHandle cuEventDestroy = h("cuEventDestroy_v2", JAVA_LONG);
        static final MethodHandle cuStreamBeginCapture = h("cuStreamBeginCapture_v2", JAVA_LONG, JAVA_INT);
        static final MethodHandle cuStreamEndCapture = h("cuStreamEndCapture", JAVA_LONG, ADDRESS);
        static final MethodHandle cuGraphInstantiate = h("cuGraphInstantiateWithFlags", ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuGraphLaunch = h("cuGraphLaunch", JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuGraphExecDestroy = h("cuGraphExecDestroy", JAVA_LONG);
        static final MethodHandle cuGraphDestroy = h("cuGraphDestroy", JAVA_LONG);

        private static MethodHandle h(String symbol, ValueLayout... args) {
            return LIB.downcall(symbol, FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    private void check(int result, String call) {
        if (result != 0) {
            throw new CudaException(call, result, errorName(result));
        }
    }

    @Override
    public String implementation() {
        return "ffm";
    }

    @Override
    public String errorName(int code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int result = (int) Api.cuGetErrorName.invokeExact(code, out);
            MemorySegment text = out.get(ADDRESS, 0);
            if (result != 0 || text.equals(MemorySegment.NULL)) {
                return CudaErrors.name(code);
            }
            return text.reinterpret(256).getString(0, StandardCharsets.US_ASCII);
        } catch (Throwable t) {
            return CudaErrors.name(code);
        }
    }

    @Override
    public void init() {
        try {
            check((int) Api.cuInit.invokeExact(0), "cuInit");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.cuDriverGetVersion.invokeExact(out), "cuDriverGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.cuDeviceGetCount.invokeExact(out), "cuDeviceGetCount");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.cuDeviceGet.invokeExact(out, ordinal), "cuDeviceGet(" + ordinal + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            check((int) Api.cuDeviceGetName.invokeExact(out, 256, device), "cuDeviceGetName");
            return out.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public ComputeCapability computeCapability(int device) {
        return new ComputeCapability(deviceAttribute(device, DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                deviceAttribute(device, DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
    }

    @Override
    public long deviceTotalMemory(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuDeviceTotalMem.invokeExact(out, device), "cuDeviceTotalMem");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public int deviceAttribute(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.cuDeviceGetAttribute.invokeExact(out, attribute, device),
                    "cuDeviceGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long primaryContextRetain(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuDevicePrimaryCtxRetain.invokeExact(out, device), "cuDevicePrimaryCtxRetain");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void primaryContextRelease(int device) {
        try {
            check((int) Api.cuDevicePrimaryCtxRelease.invokeExact(device), "cuDevicePrimaryCtxRelease");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void contextSetCurrent(long context) {
        try {
            check((int) Api.cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long contextGetCurrent() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuCtxGetCurrent.invokeExact(out), "cuCtxGetCurrent");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void contextSynchronize() {
        try {
            check((int) Api.cuCtxSynchronize.invokeExact(), "cuCtxSynchronize");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public MemInfo memGetInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            check((int) Api.cuMemGetInfo.invokeExact(free, total), "cuMemGetInfo");
            return new MemInfo(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long moduleLoadData(String ptx) {
        Objects.requireNonNull(ptx, "ptx");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            MemorySegment image = arena.allocateFrom(ptx, StandardCharsets.UTF_8);
            MemorySegment errorLog = arena.allocate(JIT_LOG_BYTES);
            MemorySegment infoLog = arena.allocate(JIT_LOG_BYTES);
            MemorySegment options = arena.allocateFrom(JAVA_INT, CU_JIT_ERROR_LOG_BUFFER,
                    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
            // option values are void*; the sizes are passed as pointer-sized integers, as the CUDA docs require
            MemorySegment values = arena.allocateFrom(JAVA_LONG, errorLog.address(), JIT_LOG_BYTES,
                    infoLog.address(), JIT_LOG_BYTES);
            int result = (int) Api.cuModuleLoadDataEx.invokeExact(out, image, 4, options, values);
            if (result != 0) {
                throw new CudaException("cuModuleLoadDataEx", result, errorName(result),
                        errorLog.getString(0, StandardCharsets.UTF_8).strip());
            }
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void moduleUnload(long module) {
        try {
            check((int) Api.cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuModuleGetFunction.invokeExact(out, module, arena.allocateFrom(name)),
                    "cuModuleGetFunction(" + name + ")");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void funcSetAttribute(long function, int attribute, int value) {
        try {
            check((int) Api.cuFuncSetAttribute.invokeExact(function, attribute, value),
                    "cuFuncSetAttribute(" + attribute + ", " + value + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public int funcGetAttribute(long function, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.cuFuncGetAttribute.invokeExact(out, attribute, function),
                    "cuFuncGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void launchKernel(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int dynamicSharedBytes, long stream, KernelArgs args) {
        long needed = args.layoutBytes();
        MemorySegment scratch = LAUNCH_SCRATCH.get();
        if (needed > scratch.byteSize()) {
            scratch = Arena.ofAuto().allocate(needed, 16);
            LAUNCH_SCRATCH.set(scratch);
        }
        MemorySegment params = args.writeTo(scratch);
        try {
            int result = (int) Api.cuLaunchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                    dynamicSharedBytes, stream, params, MemorySegment.NULL);
            if (result != 0) {
                throw new CudaException("cuLaunchKernel", result, errorName(result),
                        "grid (" + gridX + ", " + gridY + ", " + gridZ + ") block (" + blockX + ", " + blockY + ", "
                                + blockZ + ") shared " + dynamicSharedBytes + " B, " + args);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long memAlloc(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memAlloc: bytes must be positive, got " + bytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuMemAlloc.invokeExact(out, bytes), "cuMemAlloc(" + bytes + " B)");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void memFree(long devicePointer) {
        try {
            check((int) Api.cuMemFree.invokeExact(devicePointer), "cuMemFree");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void memsetD32(long devicePointer, int value, long count) {
        try {
            check((int) Api.cuMemsetD32.invokeExact(devicePointer, value, count), "cuMemsetD32");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void memsetD32Async(long devicePointer, int value, long count, long stream) {
        try {
            check((int) Api.cuMemsetD32Async.invokeExact(devicePointer, value, count, stream), "cuMemsetD32Async");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, long bytes) {
        checkSegment("copyHtoD", src, bytes);
        try {
            MethodHandle copy = src.isNative() ? Api.cuMemcpyHtoD : Api.cuMemcpyHtoDHeap;
            check((int) copy.invokeExact(dst, src, bytes), "cuMemcpyHtoD(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyHtoD(long dst, float[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        copyHtoD(dst, MemorySegment.ofArray(src).asSlice((long) srcOffset * Float.BYTES), (long) length * Float.BYTES);
    }

    @Override
    public void copyHtoD(long dst, int[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        copyHtoD(dst, MemorySegment.ofArray(src).asSlice((long) srcOffset * Integer.BYTES), (long) length * Integer.BYTES);
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, long bytes) {
        checkSegment("copyDtoH", dst, bytes);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("copyDtoH: destination segment is read-only");
        }
        try {
            MethodHandle copy = dst.isNative() ? Api.cuMemcpyDtoH : Api.cuMemcpyDtoHHeap;
            check((int) copy.invokeExact(dst, src, bytes), "cuMemcpyDtoH(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyDtoH(float[] dst, int dstOffset, int length, long src) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        copyDtoH(MemorySegment.ofArray(dst).asSlice((long) dstOffset * Float.BYTES), src, (long) length * Float.BYTES);
    }

    @Override
    public void copyDtoH(int[] dst, int dstOffset, int length, long src) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        copyDtoH(MemorySegment.ofArray(dst).asSlice((long) dstOffset * Integer.BYTES), src, (long) length * Integer.BYTES);
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes) {
        try {
            check((int) Api.cuMemcpyDtoD.invokeExact(dst, src, bytes), "cuMemcpyDtoD(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyHtoDAsync(long dst, MemorySegment src, long bytes, long stream) {
        checkNativeSegment("copyHtoDAsync", src, bytes);
        try {
            check((int) Api.cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyDtoHAsync(MemorySegment dst, long src, long bytes, long stream) {
        checkNativeSegment("copyDtoHAsync", dst, bytes);
        try {
            check((int) Api.cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void copyDtoDAsync(long dst, long src, long bytes, long stream) {
        try {
            check((int) Api.cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoDAsync(" + bytes + " B)");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    static void checkSegment(String op, MemorySegment segment, long bytes) {
        if (bytes < 0 || bytes > segment.byteSize()) {
            throw new IllegalArgumentException(op + ": " + bytes + " bytes requested but the host segment holds "
                    + segment.byteSize());
        }
    }

    static void checkNativeSegment(String op, MemorySegment segment, long bytes) {
        checkSegment(op, segment, bytes);
        if (!segment.isNative()) {
            throw new IllegalArgumentException(op + " needs a native (ideally pinned) host segment, got a heap segment");
        }
    }

    @Override
    public MemorySegment memAllocHost(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memAllocHost: bytes must be positive, got " + bytes);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) Api.cuMemAllocHost.invokeExact(out, bytes), "cuMemAllocHost(" + bytes + " B)");
            return out.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void memFreeHost(MemorySegment pinned) {
        try {
            check((int) Api.cuMemFreeHost.invokeExact(pinned.address()), "cuMemFreeHost");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long streamCreate(boolean nonBlocking) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuStreamCreate.invokeExact(out, nonBlocking ? CU_STREAM_NON_BLOCKING : 0), "cuStreamCreate");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void streamDestroy(long stream) {
        try {
            check((int) Api.cuStreamDestroy.invokeExact(stream), "cuStreamDestroy");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void streamSynchronize(long stream) {
        try {
            check((int) Api.cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        try {
            check((int) Api.cuStreamWaitEvent.invokeExact(stream, event, 0), "cuStreamWaitEvent");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long eventCreate(boolean timing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuEventCreate.invokeExact(out, timing ? 0 : CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void eventRecord(long event, long stream) {
        try {
            check((int) Api.cuEventRecord.invokeExact(event, stream), "cuEventRecord");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void eventSynchronize(long event) {
        try {
            check((int) Api.cuEventSynchronize.invokeExact(event), "cuEventSynchronize");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public float eventElapsedMillis(long start, long end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_FLOAT);
            check((int) Api.cuEventElapsedTime.invokeExact(out, start, end), "cuEventElapsedTime");
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void eventDestroy(long event) {
        try {
            check((int) Api.cuEventDestroy.invokeExact(event), "cuEventDestroy");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void streamBeginCapture(long stream, CaptureMode mode) {
        try {
            check((int) Api.cuStreamBeginCapture.invokeExact(stream, mode.code), "cuStreamBeginCapture");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long streamEndCapture(long stream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuStreamEndCapture.invokeExact(stream, out), "cuStreamEndCapture");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public long graphInstantiate(long graph) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) Api.cuGraphInstantiate.invokeExact(out, graph, 0L), "cuGraphInstantiate");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void graphLaunch(long graphExec, long stream) {
        try {
            check((int) Api.cuGraphLaunch.invokeExact(graphExec, stream), "cuGraphLaunch");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        try {
            check((int) Api.cuGraphExecDestroy.invokeExact(graphExec), "cuGraphExecDestroy");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    @Override
    public void graphDestroy(long graph) {
        try {
            check((int) Api.cuGraphDestroy.invokeExact(graph), "cuGraphDestroy");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }
}
